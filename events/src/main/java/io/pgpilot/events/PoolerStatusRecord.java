package io.pgpilot.events;

import java.time.Instant;

/**
 * What the services module runs for one pooler (key: pooler name): where clients connect, how many
 * PgBouncer processes serve it, whether it is paused and where it sends server connections.
 *
 * @param target host:port of the PostgreSQL server or endpoint PgBouncer connects to; null while there is none
 */
public record PoolerStatusRecord(String pooler, String cluster, String type, String host, int port, int instances,
                                 int running, boolean paused, String target, Phase phase, String message,
                                 long generation, Instant updatedAt) {

    public enum Phase { STARTING, READY, PAUSED, WAITING_FOR_CLUSTER, FAILED }
}
