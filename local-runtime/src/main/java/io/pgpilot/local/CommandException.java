package io.pgpilot.local;

/** A command that failed; the message carries its last output lines, never its environment. */
public final class CommandException extends RuntimeException {

    private final int exitCode;

    public CommandException(String command, int exitCode, String outputTail) {
        super(command + " failed with exit code " + exitCode + (outputTail.isBlank() ? "" : ": " + outputTail));
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
