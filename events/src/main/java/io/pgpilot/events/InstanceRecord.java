package io.pgpilot.events;

import java.time.Instant;

/** Where an instance lives and what its provisioner did with it; key {@code cluster/instance}. */
public record InstanceRecord(String cluster, String instance, int ordinal, String host, int port,
                             String dataDirectory, Phase phase, Instant updatedAt, String message) {

    public enum Phase { CREATING, RUNNING, STOPPED, FAILED }
}
