package io.pgpilot.instance.http;

import io.pgpilot.events.Heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Patroni-style checks, pure: 200 when the instance is what is asked, 503 otherwise (also when the
 * latest heartbeat is missing or older than {@code maxAge}). HAProxy's {@code option httpchk} and
 * Kubernetes probes read only the status.
 */
public final class Checks {

    public static final int OK = 200;
    public static final int UNAVAILABLE = 503;

    public enum Check {
        PRIMARY, REPLICA, HEALTH;

        boolean wanted(Heartbeat h) {
            return switch (this) {
                case PRIMARY -> h.isUp() && h.role() == Heartbeat.Role.PRIMARY;
                case REPLICA -> h.isUp() && h.role() == Heartbeat.Role.REPLICA;
                case HEALTH -> h.isUp();
            };
        }

        /** {@code /primary}, {@code /replica}, {@code /health}; anything else: empty. */
        public static Optional<Check> ofPath(String path) {
            return switch (path) {
                case "/primary" -> Optional.of(PRIMARY);
                case "/replica" -> Optional.of(REPLICA);
                case "/health" -> Optional.of(HEALTH);
                default -> Optional.empty();
            };
        }
    }

    private Checks() {
    }

    public static int status(Check check, Heartbeat latest, Instant now, Duration maxAge) {
        if (latest == null) {
            return UNAVAILABLE;
        }
        boolean fresh = Duration.between(latest.observedAt(), now).compareTo(maxAge) <= 0;
        return fresh && check.wanted(latest) ? OK : UNAVAILABLE;
    }
}
