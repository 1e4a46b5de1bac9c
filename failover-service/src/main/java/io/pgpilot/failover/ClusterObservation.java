package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the decider may look at for one cluster, frozen at one instant: the members the
 * provisioner created, their latest heartbeats, the topology in force and the last epoch ever used.
 */
public record ClusterObservation(String cluster, List<String> members, Map<String, Heartbeat> heartbeats,
                                 Topology current, long lastEpoch, Instant now, Duration heartbeatTimeout) {

    public boolean isFresh(Heartbeat heartbeat) {
        return heartbeat != null && !heartbeat.observedAt().plus(heartbeatTimeout).isBefore(now);
    }

    public List<String> freshWithRole(Heartbeat.Role role) {
        return members.stream()
                .filter(m -> {
                    Heartbeat h = heartbeats.get(m);
                    return isFresh(h) && h.isUp() && h.role() == role;
                })
                .sorted()
                .toList();
    }
}
