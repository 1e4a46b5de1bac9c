package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;

import java.util.List;

/**
 * Pure role decisions from heartbeats. Today: the initial election and keeping the replica set
 * current. The primary is never changed here without the safety rules of DESIGN.md.
 */
public final class TopologyDecider {

    private TopologyDecider() {
    }

    public static Decision decide(ClusterObservation o) {
        List<String> primaries = o.freshWithRole(Heartbeat.Role.PRIMARY);
        List<String> replicas = o.freshWithRole(Heartbeat.Role.REPLICA);
        Topology current = o.current();
        if (current == null) {
            return elect(o, primaries, replicas);
        }
        List<String> fenced = current.fenced() == null ? List.of() : current.fenced();
        List<String> liveReplicas = replicas.stream()
                .filter(r -> !r.equals(current.primary()) && !fenced.contains(r)).toList();
        Heartbeat primaryBeat = o.heartbeats().get(current.primary());
        int timeline = o.isFresh(primaryBeat) && primaryBeat.isUp() && primaryBeat.role() == Heartbeat.Role.PRIMARY
                ? primaryBeat.timeline() : current.timeline();
        if (liveReplicas.equals(current.replicas()) && timeline == current.timeline()) {
            return new Decision.Unchanged();
        }
        Topology next = new Topology(o.cluster(), o.lastEpoch() + 1, current.primary(), liveReplicas, fenced,
                timeline, o.now(), "replicas changed");
        return new Decision.PublishTopology(next, "topology.changed",
                "replicas now " + liveReplicas + " (were " + current.replicas() + ")");
    }

    private static Decision elect(ClusterObservation o, List<String> primaries, List<String> replicas) {
        if (primaries.isEmpty()) {
            return new Decision.Unchanged();
        }
        if (primaries.size() > 1) {
            return new Decision.Conflict("more than one instance claims to be primary before any election: " + primaries);
        }
        String primary = primaries.getFirst();
        Topology first = new Topology(o.cluster(), o.lastEpoch() + 1, primary, replicas, List.of(),
                o.heartbeats().get(primary).timeline(), o.now(), "initial election");
        return new Decision.PublishTopology(first, "primary.elected", primary + " elected primary");
    }
}
