package io.pgpilot.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion and returns its output; fails loudly with its last lines. */
public final class Commands {

    private Commands() {
    }

    public static String run(OsUser user, List<String> command, Map<String, String> environment, Path workDir,
                             Duration timeout) {
        List<String> full = user.wrap(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (IOException ignored) {
                    // the process ended; what we read is what there is
                }
            });
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandException(describe(command), -1, "timed out after " + timeout.toSeconds() + " s");
            }
            reader.join(2000);
            String text = output.toString(StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new CommandException(describe(command), process.exitValue(), tail(text));
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + describe(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + describe(command), e);
        }
    }

    /** The program name only: arguments may hold connection strings. */
    static String describe(List<String> command) {
        return Path.of(command.getFirst()).getFileName().toString();
    }

    static String tail(String text) {
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - 5);
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
