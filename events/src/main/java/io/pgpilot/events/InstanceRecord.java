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

    /** The message of a RUNNING record by which the provisioner confirms that the instance accepts writes. */
    public static final String PRIMARY = "primary";

    /**
     * The provisioner's confirmation that this instance accepts writes now: it publishes a RUNNING
     * "primary" record only after the instance answered {@code pg_is_in_recovery() = false} (after a
     * promotion) or was started as a primary, and replaces it before it stops or demotes the
     * instance. The rw endpoint routes only to the topology primary with this confirmation.
     */
    public boolean acceptsWrites() {
        return phase == Phase.RUNNING && PRIMARY.equals(message);
    }
}
