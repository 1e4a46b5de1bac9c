package io.pgpilot.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A request about roles, published by the gateway on {@link Topics#COMMANDS} and handled by the
 * failover service. Every type is idempotent: applying one twice changes nothing the second time.
 */
public record ClusterCommand(String id, String cluster, Type type, String instance, Instant requestedAt) {

    public enum Type {
        /** Planned change of primary to {@code instance} (resolved by the gateway when not given). */
        SWITCHOVER,
        /** Stop {@code instance} and keep it out of every endpoint until unfenced. */
        FENCE,
        UNFENCE
    }

    public static ClusterCommand of(String cluster, Type type, String instance) {
        return new ClusterCommand(UUID.randomUUID().toString(), cluster, type, instance, Instant.now());
    }
}
