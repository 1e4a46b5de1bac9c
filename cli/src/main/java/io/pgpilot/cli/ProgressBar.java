package io.pgpilot.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar, {@code [########------------]  40% message}: redrawn in place
 * ({@code \r}) on a terminal, printed as a new line only when it changes otherwise (logs, pipes).
 */
final class ProgressBar {

    private final PrintStream out;
    private final boolean terminal;
    private String last = "";

    ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Pure: the bar for {@code percent} (0..100; negative: unknown) and {@code width} cells. */
    static String render(long percent, int width, String message) {
        StringBuilder bar = new StringBuilder("[");
        if (percent < 0) {
            bar.append("?".repeat(width)).append("]    ");
        } else {
            long p = Math.min(100, percent);
            int filled = (int) (p * width / 100);
            bar.append("#".repeat(filled)).append("-".repeat(width - filled)).append(String.format("] %3d%%", p));
        }
        return message == null || message.isBlank() ? bar.toString() : bar + " " + message;
    }

    void show(long percent, String message) {
        String line = render(percent, 30, message);
        if (line.equals(last)) {
            return;
        }
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, last.length() - line.length())));
        } else {
            out.println(line);
        }
        out.flush();
        last = line;
    }

    /** Ends the bar's line on a terminal. */
    void done() {
        if (terminal && !last.isEmpty()) {
            out.println();
        }
    }
}
