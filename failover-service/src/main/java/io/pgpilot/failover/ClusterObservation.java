package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the decider may look at for one cluster, frozen at one instant.
 *
 * @param members             the instances the provisioner created
 * @param heartbeats          the latest heartbeat of each member
 * @param current             the topology in force (null before the first election)
 * @param lastEpoch           the highest epoch ever used for this cluster name
 * @param primaryHealthyAt    when the current primary was last seen up as primary
 * @param primaryUnhealthyAt  when the current primary was first seen not up in the current streak (null if healthy)
 * @param lastStandbys        sync states the primary last reported, by standby name
 * @param failoverDelay       spec.failoverDelay: extra wait before a failover
 * @param lease               how long after its last healthy heartbeat an unreachable primary has certainly fenced itself
 * @param primaryConfirmed    the current primary has been seen up as primary since it was named
 * @param promotionTimeout    how long a named primary that is alive but not promoted yet is waited for
 */
public record ClusterObservation(String cluster, List<String> members, Map<String, Heartbeat> heartbeats,
                                 Topology current, long lastEpoch, Instant now, Duration heartbeatTimeout,
                                 Instant primaryHealthyAt, Instant primaryUnhealthyAt,
                                 Map<String, String> lastStandbys, Duration failoverDelay, Duration lease,
                                 boolean primaryConfirmed, Duration promotionTimeout) {

    public boolean isFresh(Heartbeat heartbeat) {
        return heartbeat != null && !heartbeat.observedAt().plus(heartbeatTimeout).isBefore(now);
    }

    public boolean isUpAs(String instance, Heartbeat.Role role) {
        Heartbeat h = heartbeats.get(instance);
        return isFresh(h) && h.isUp() && h.role() == role;
    }

    public List<String> freshWithRole(Heartbeat.Role role) {
        return members.stream().filter(m -> isUpAs(m, role)).sorted().toList();
    }

    public List<String> fenced() {
        return current == null || current.fenced() == null ? List.of() : current.fenced();
    }
}
