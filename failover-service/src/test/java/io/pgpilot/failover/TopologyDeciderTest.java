package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyDeciderTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final List<String> MEMBERS = List.of("c-1", "c-2", "c-3");

    private static Heartbeat beat(String instance, Heartbeat.Role role, Instant at) {
        return new Heartbeat("c", instance, at, 1, Heartbeat.State.UP, true, role, 1, 100, 100, 100, 0, 0,
                role == Heartbeat.Role.REPLICA ? "streaming" : null, null, 1, 1, List.of(), null);
    }

    private static ClusterObservation observe(Map<String, Heartbeat> beats, Topology current, long lastEpoch) {
        return new ClusterObservation("c", MEMBERS, beats, current, lastEpoch, NOW, Duration.ofSeconds(5));
    }

    private static Map<String, Heartbeat> healthy() {
        Map<String, Heartbeat> beats = new HashMap<>();
        beats.put("c-1", beat("c-1", Heartbeat.Role.PRIMARY, NOW));
        beats.put("c-2", beat("c-2", Heartbeat.Role.REPLICA, NOW));
        beats.put("c-3", beat("c-3", Heartbeat.Role.REPLICA, NOW));
        return beats;
    }

    @Test
    void electsTheOnlyPrimaryWithEpochOne() {
        Decision decision = TopologyDecider.decide(observe(healthy(), null, 0));
        assertThat(decision).isInstanceOf(Decision.PublishTopology.class);
        Topology topology = ((Decision.PublishTopology) decision).next();
        assertThat(topology.epoch()).isEqualTo(1);
        assertThat(topology.primary()).isEqualTo("c-1");
        assertThat(topology.replicas()).containsExactly("c-2", "c-3");
        assertThat(topology.timeline()).isEqualTo(1);
    }

    @Test
    void epochsContinueAfterAClusterWasDeletedAndRecreated() {
        Topology topology = ((Decision.PublishTopology) TopologyDecider.decide(observe(healthy(), null, 7))).next();
        assertThat(topology.epoch()).isEqualTo(8);
    }

    @Test
    void noPrimaryMeansNoElection() {
        Map<String, Heartbeat> beats = healthy();
        beats.remove("c-1");
        assertThat(TopologyDecider.decide(observe(beats, null, 0))).isInstanceOf(Decision.Unchanged.class);
    }

    @Test
    void stalePrimaryHeartbeatDoesNotCount() {
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", beat("c-1", Heartbeat.Role.PRIMARY, NOW.minusSeconds(6)));
        assertThat(TopologyDecider.decide(observe(beats, null, 0))).isInstanceOf(Decision.Unchanged.class);
    }

    @Test
    void twoPrimariesBeforeAnyElectionIsAConflict() {
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-2", beat("c-2", Heartbeat.Role.PRIMARY, NOW));
        assertThat(TopologyDecider.decide(observe(beats, null, 0))).isInstanceOf(Decision.Conflict.class);
    }

    @Test
    void steadyStateChangesNothing() {
        Topology current = new Topology("c", 3, "c-1", List.of("c-2", "c-3"), List.of(), 1, NOW, "x");
        assertThat(TopologyDecider.decide(observe(healthy(), current, 3))).isInstanceOf(Decision.Unchanged.class);
    }

    @Test
    void aReplicaThatJoinsOrLeavesBumpsTheEpochButKeepsThePrimary() {
        Topology current = new Topology("c", 3, "c-1", List.of("c-2"), List.of(), 1, NOW, "x");
        var joined = (Decision.PublishTopology) TopologyDecider.decide(observe(healthy(), current, 3));
        assertThat(joined.next().epoch()).isEqualTo(4);
        assertThat(joined.next().primary()).isEqualTo("c-1");
        assertThat(joined.next().replicas()).containsExactly("c-2", "c-3");

        Map<String, Heartbeat> beats = healthy();
        beats.put("c-3", new Heartbeat("c", "c-3", NOW, 2, Heartbeat.State.DOWN, false, Heartbeat.Role.UNKNOWN,
                0, 0, 0, 0, 0, 0, null, null, 0, 0, List.of(), "refused"));
        var left = (Decision.PublishTopology) TopologyDecider.decide(observe(beats, joined.next(), 4));
        assertThat(left.next().replicas()).containsExactly("c-2");
        assertThat(left.next().epoch()).isEqualTo(5);
    }

    @Test
    void fencedInstancesStayOutOfTheReplicaSet() {
        Topology current = new Topology("c", 3, "c-1", List.of("c-2"), List.of("c-3"), 1, NOW, "x");
        assertThat(TopologyDecider.decide(observe(healthy(), current, 3))).isInstanceOf(Decision.Unchanged.class);
    }
}
