package io.pgpilot.instance;

/** An instance could not be created, configured, started, stopped or deleted; {@link #reason()} says which step. */
public final class ProvisioningException extends RuntimeException {

    public enum Reason {
        LAYOUT, SECRETS, INITDB, BASEBACKUP, CONFIGURE, START, STOP, BOOTSTRAP_SQL, DELETE, NO_PRIMARY, NO_FREE_PORT, PROMOTE, REWIND,
        /** The node (its agent) did not answer: the operation may not have run at all, a retry can help. */
        NODE_UNREACHABLE;

        /** Whether the same call again can succeed without anything else changing first (the node may come back). */
        public boolean retryHelps() {
            return this == NODE_UNREACHABLE;
        }
    }

    private final Reason reason;

    public ProvisioningException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        this.reason = reason;
    }

    public ProvisioningException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
