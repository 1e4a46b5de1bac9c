package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-cluster memory the decider needs but heartbeats alone do not carry: when the current primary
 * was last healthy, since when it is not, and the sync states it last reported. Reset whenever the
 * topology names another primary (the new one gets a full lease to come up).
 */
final class PrimaryWatch {

    /** A restarted failover service gives every primary a full lease from its own start. */
    private final Instant watchingSince;
    private String primary;
    private Instant healthyAt;
    private Instant unhealthyAt;
    private boolean confirmed;
    private Map<String, String> standbys = Map.of();

    PrimaryWatch(Instant watchingSince) {
        this.watchingSince = watchingSince;
    }

    synchronized void onTopology(Topology topology) {
        if (topology.primary() != null && !topology.primary().equals(primary)) {
            primary = topology.primary();
            healthyAt = topology.decidedAt().isAfter(watchingSince) ? topology.decidedAt() : watchingSince;
            unhealthyAt = null;
            confirmed = false;
        }
    }

    synchronized void onHeartbeat(Heartbeat heartbeat) {
        if (!heartbeat.instance().equals(primary)) {
            return;
        }
        if (heartbeat.isUp() && heartbeat.role() == Heartbeat.Role.PRIMARY) {
            if (healthyAt == null || heartbeat.observedAt().isAfter(healthyAt)) {
                healthyAt = heartbeat.observedAt();
            }
            unhealthyAt = null;
            confirmed = true;
            Map<String, String> states = new HashMap<>();
            if (heartbeat.standbys() != null) {
                heartbeat.standbys().forEach(s -> states.put(s.applicationName(), s.syncState()));
            }
            standbys = Map.copyOf(states);
        } else if (unhealthyAt == null) {
            unhealthyAt = heartbeat.observedAt();
        }
    }

    /** A primary that stopped heartbeating altogether is unhealthy from its last heartbeat on. */
    synchronized Instant unhealthyAt(Instant now, java.time.Duration heartbeatTimeout) {
        if (unhealthyAt == null && healthyAt != null && healthyAt.plus(heartbeatTimeout).isBefore(now)) {
            return healthyAt;
        }
        return unhealthyAt;
    }

    synchronized boolean confirmed() {
        return confirmed;
    }

    synchronized Instant healthyAt() {
        return healthyAt;
    }

    synchronized Map<String, String> standbys() {
        return standbys;
    }
}
