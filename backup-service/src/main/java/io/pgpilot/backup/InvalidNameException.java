package io.pgpilot.backup;

/**
 * A WAL file name or backup id from outside that does not match its strict pattern. The message
 * echoes the offending value only in printable, bounded form.
 */
public final class InvalidNameException extends RuntimeException {

    public enum Reason { WAL_NAME, BACKUP_ID }

    private final Reason reason;

    public InvalidNameException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
