package io.pgpilot.cli;

/**
 * The exit codes of {@code pgpilot} (docs/operations.md lists them) and the one exception that
 * carries a code and a message to the user. A message never contains a token or a password.
 */
public final class Exit {

    /** Done (for {@code backup} and {@code restore}: the backup completed, the new cluster is healthy). */
    public static final int OK = 0;
    /** The platform accepted the request but the operation failed (a backup or a restore ended failed). */
    public static final int FAILED = 1;
    /** Wrong arguments or options (picocli's usage errors, an invalid time, a missing file). */
    public static final int USAGE = 2;
    /** The cluster, pooler, instance or backup does not exist (gateway 404). */
    public static final int NOT_FOUND = 3;
    /** The gateway refused the request (400 invalid, 409 conflict, 413, 415): its error is printed. */
    public static final int REFUSED = 4;
    /** No token, or the token is unknown (401) or its role may not do this (403). */
    public static final int AUTH = 5;
    /** The gateway or a service behind it is not reachable or not available (connection refused, 5xx). */
    public static final int UNAVAILABLE = 6;
    /** Waiting for a backup or a restore took longer than --timeout. */
    public static final int TIMEOUT = 7;

    private Exit() {
    }

    /** The exit code for a gateway answer's HTTP status (not for 2xx). */
    public static int forStatus(int status) {
        return switch (status) {
            case 401, 403 -> AUTH;
            case 404 -> NOT_FOUND;
            case 400, 409, 413, 415, 422 -> REFUSED;
            default -> status >= 500 ? UNAVAILABLE : REFUSED;
        };
    }

    /** A failure with its exit code; {@link Pgpilot} prints "error: message" and exits with the code. */
    public static final class CliException extends RuntimeException {
        private final int code;

        public CliException(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
