package io.pgpilot.events;

import java.time.Instant;

/**
 * Where an instance lives and what its provisioner did with it; key {@code cluster/instance}.
 * {@code uid}: the cluster incarnation it belongs to ({@link Incarnation}).
 */
public record InstanceRecord(String cluster, String instance, int ordinal, String host, int port,
                             String dataDirectory, Phase phase, Instant updatedAt, String message, String uid) {

    public InstanceRecord(String cluster, String instance, int ordinal, String host, int port,
                          String dataDirectory, Phase phase, Instant updatedAt, String message) {
        this(cluster, instance, ordinal, host, port, dataDirectory, phase, updatedAt, message, null);
    }

    public enum Phase { CREATING, RUNNING, STOPPED, FAILED }
}
