package io.pgpilot.failover;

/**
 * This replica is not (or no longer) the active decider: the decision was not published and a
 * retry on this replica does not help; the active one decides again from its own view.
 */
final class NotLeaderException extends RuntimeException {

    NotLeaderException(String message) {
        super(message);
    }

    NotLeaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
