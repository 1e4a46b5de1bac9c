package io.pgpilot.instance.node.wire;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.restore.RecoveryException;

/**
 * A failed operation as the agent answers it (JSON body of a non-2xx response) and as the client
 * throws it again: a {@link ProvisioningException} or a {@link RecoveryException} keeps its type,
 * reason and message. Messages are the operations' own, which never hold a credential; a malformed
 * request is answered without echoing any of it.
 *
 * @param type {@code provisioning}, {@code recovery}, {@code invalid} (400), {@code unauthorized} (401),
 *             {@code unknown} (404: no such operation) or {@code internal}
 */
public record WireError(String type, String reason, String message) {

    static final String PROVISIONING = "provisioning";
    static final String RECOVERY = "recovery";
    static final String INVALID = "invalid";
    static final String UNAUTHORIZED = "unauthorized";
    static final String UNKNOWN = "unknown";
    static final String INTERNAL = "internal";

    /** The agent's side: what a thrown exception becomes. */
    static WireError of(String operation, RuntimeException e) {
        return switch (e) {
            case ProvisioningException p -> new WireError(PROVISIONING, p.reason().name(), withoutReason(p));
            case RecoveryException r -> new WireError(RECOVERY, r.reason().name(), r.getMessage());
            case IllegalArgumentException i -> new WireError(INVALID, null, operation + ": " + i.getMessage());
            default -> new WireError(INTERNAL, null, operation + " failed: " + e);
        };
    }

    /** ProvisioningException prefixes its message with the reason; the client's constructor adds it again. */
    private static String withoutReason(ProvisioningException e) {
        String prefix = e.reason().name() + ": ";
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    int status() {
        return switch (type) {
            case INVALID -> 400;
            case UNAUTHORIZED -> 401;
            case UNKNOWN -> 404;
            case PROVISIONING, RECOVERY -> 422;
            default -> 500;
        };
    }

    /** The client's side: the exception to throw again (the node named in front of internal failures). */
    RuntimeException toException(String node) {
        if (PROVISIONING.equals(type) && reason != null) {
            return new ProvisioningException(ProvisioningException.Reason.valueOf(reason), message);
        }
        if (RECOVERY.equals(type) && reason != null) {
            return new RecoveryException(RecoveryException.Reason.valueOf(reason), message);
        }
        if (UNAUTHORIZED.equals(type)) {
            return new ProvisioningException(ProvisioningException.Reason.SECRETS, "node " + node + " refused the join token");
        }
        if (INVALID.equals(type) || UNKNOWN.equals(type)) {
            return new IllegalArgumentException("node " + node + ": " + message);
        }
        return new IllegalStateException("node " + node + ": " + message);
    }
}
