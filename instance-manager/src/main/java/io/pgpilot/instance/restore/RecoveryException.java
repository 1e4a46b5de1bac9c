package io.pgpilot.instance.restore;

/** A cluster could not be bootstrapped from a backup; {@link #reason()} says why, the message for people. */
public final class RecoveryException extends RuntimeException {

    public enum Reason {
        /** No base backup fits (none before the target, unknown or incomplete backupID). */
        NO_BACKUP,
        /** The backup service or the store could not deliver the backup. */
        UNAVAILABLE,
        /** The archive ends before the recovery target (missing WAL). */
        TARGET_NOT_REACHED,
        /** WAL needed to reach a consistent state is missing, or the restore_command failed hard. */
        MISSING_WAL,
        /** Anything else (see the message). */
        FAILED
    }

    private final Reason reason;

    public RecoveryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** What a PostgreSQL log says about a recovery that stopped, as a reason. */
    public static Reason classify(String log) {
        if (log == null) {
            return Reason.FAILED;
        }
        if (log.contains("recovery ended before configured recovery target was reached")) {
            return Reason.TARGET_NOT_REACHED;
        }
        if (log.contains("WAL ends before consistent recovery point") || log.contains("could not locate required checkpoint record")
                || log.contains("restore_command") || log.contains("could not restore file")) {
            return Reason.MISSING_WAL;
        }
        return Reason.FAILED;
    }
}
