package io.pgpilot.failover;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyDeciderTest {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final List<String> MEMBERS = List.of("c-1", "c-2", "c-3");
    static final Topology STEADY = new Topology("c", 3, "c-1", List.of("c-2", "c-3"), List.of(), 1, NOW.minusSeconds(60), "x");

    static Heartbeat up(String instance, Heartbeat.Role role, Instant at, long receiveLsn, String walReceiver) {
        return new Heartbeat("c", instance, at, 1, Heartbeat.State.UP, true, role, 1, 100, receiveLsn, receiveLsn, 0, 0,
                walReceiver, null, 1, 1, List.of(), null);
    }

    static Heartbeat down(String instance, Instant at, boolean processAlive) {
        return new Heartbeat("c", instance, at, 1, processAlive ? Heartbeat.State.UNREACHABLE : Heartbeat.State.DOWN,
                processAlive, Heartbeat.Role.UNKNOWN, 0, 0, 0, 0, 0, 0, null, null, 0, 0, List.of(), "refused");
    }

    static Map<String, Heartbeat> healthy() {
        Map<String, Heartbeat> beats = new HashMap<>();
        beats.put("c-1", up("c-1", Heartbeat.Role.PRIMARY, NOW, 100, null));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 100, "streaming"));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 100, "streaming"));
        return beats;
    }

    static ClusterObservation observe(Map<String, Heartbeat> beats, Topology current, Instant healthyAt, Instant unhealthyAt,
                                      Duration failoverDelay) {
        return new ClusterObservation("c", MEMBERS, beats, current, current == null ? 0 : current.epoch(), NOW,
                Duration.ofSeconds(3), healthyAt, unhealthyAt, Map.of("c-2", "quorum", "c-3", "quorum"), failoverDelay,
                Duration.ofSeconds(8), true, Duration.ofSeconds(30));
    }

    static ClusterObservation afterPrimaryFailure(Map<String, Heartbeat> beats, Instant healthyAt, Instant unhealthyAt) {
        return observe(beats, STEADY, healthyAt, unhealthyAt, Duration.ZERO);
    }

    static Topology published(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.PublishTopology.class);
        return ((Decision.PublishTopology) decision).next();
    }

    @Test
    void electsTheOnlyPrimaryWithTheNextEpoch() {
        Topology topology = published(TopologyDecider.decide(observe(healthy(), null, null, null, Duration.ZERO)));
        assertThat(topology.epoch()).isEqualTo(1);
        assertThat(topology.primary()).isEqualTo("c-1");
        assertThat(topology.replicas()).containsExactly("c-2", "c-3");
    }

    @Test
    void twoPrimariesBeforeAnyElectionIsAConflict() {
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-2", up("c-2", Heartbeat.Role.PRIMARY, NOW, 100, null));
        assertThat(TopologyDecider.decide(observe(beats, null, null, null, Duration.ZERO))).isInstanceOf(Decision.Conflict.class);
    }

    @Test
    void steadyStateChangesNothing() {
        assertThat(TopologyDecider.decide(observe(healthy(), STEADY, NOW, null, Duration.ZERO))).isInstanceOf(Decision.Unchanged.class);
    }

    @Test
    void aDeadPrimaryProcessIsFailedOverAtOnceToTheMostAdvancedReplica() {
        Instant failed = NOW.minusMillis(600);
        Map<String, Heartbeat> beats = new HashMap<>();
        beats.put("c-1", down("c-1", failed, false));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 500, null));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 700, null));
        Topology next = published(TopologyDecider.decide(afterPrimaryFailure(beats, failed.minusMillis(500), failed)));
        assertThat(next.primary()).isEqualTo("c-3");
        assertThat(next.epoch()).isEqualTo(4);
        assertThat(next.replicas()).containsExactly("c-2");
        assertThat(next.reason()).contains("process gone");
    }

    @Test
    void replicaPositionsFromBeforeTheFailureDoNotCount() {
        Instant failed = NOW.minusMillis(100);
        Map<String, Heartbeat> beats = new HashMap<>();
        beats.put("c-1", down("c-1", failed, false));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, failed, 500, null));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, failed, 700, null));
        assertThat(TopologyDecider.decide(afterPrimaryFailure(beats, failed.minusMillis(500), failed)))
                .isInstanceOf(Decision.Waiting.class);
    }

    @Test
    void tiesPreferASynchronousStandbyThenTheLowestName() {
        Instant failed = NOW.minusMillis(600);
        Map<String, Heartbeat> beats = new HashMap<>();
        beats.put("c-1", down("c-1", failed, false));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 700, null));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 700, null));
        var o = new ClusterObservation("c", MEMBERS, beats, STEADY, 3, NOW, Duration.ofSeconds(3), failed, failed,
                Map.of("c-2", "async", "c-3", "sync"), Duration.ZERO, Duration.ofSeconds(8), true, Duration.ofSeconds(30));
        assertThat(published(TopologyDecider.decide(o)).primary()).isEqualTo("c-3");
        assertThat(published(TopologyDecider.decide(afterPrimaryFailure(beats, failed, failed))).primary()).isEqualTo("c-2");
    }

    @Test
    void anUnreachablePrimaryWaitsForItsLease() {
        Instant lastHealthy = NOW.minusSeconds(5);
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", down("c-1", NOW, true));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 100, "waiting"));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 100, "waiting"));
        assertThat(TopologyDecider.decide(afterPrimaryFailure(beats, lastHealthy, lastHealthy.plusMillis(500))))
                .isInstanceOf(Decision.Waiting.class);
    }

    @Test
    void anExpiredLeaseStillWaitsWhileAReplicaStreamsFromThePrimary() {
        Instant lastHealthy = NOW.minusSeconds(9);
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", down("c-1", NOW, true));
        Decision decision = TopologyDecider.decide(afterPrimaryFailure(beats, lastHealthy, lastHealthy.plusMillis(500)));
        assertThat(decision).isInstanceOf(Decision.Waiting.class);
        assertThat(((Decision.Waiting) decision).why()).contains("stop streaming");

        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 100, "waiting"));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 90, null));
        Topology next = published(TopologyDecider.decide(afterPrimaryFailure(beats, lastHealthy, lastHealthy.plusMillis(500))));
        assertThat(next.primary()).isEqualTo("c-2");
        assertThat(next.reason()).contains("lease expired");
    }

    @Test
    void aPrimaryThatStoppedHeartbeatingAltogetherCountsAsUnreachable() {
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", up("c-1", Heartbeat.Role.PRIMARY, NOW.minusSeconds(10), 100, null));
        beats.put("c-2", up("c-2", Heartbeat.Role.REPLICA, NOW, 100, null));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 100, null));
        Topology next = published(TopologyDecider.decide(afterPrimaryFailure(beats, NOW.minusSeconds(10), NOW.minusSeconds(10))));
        assertThat(next.primary()).isEqualTo("c-2");
    }

    @Test
    void failoverDelayIsHonoured() {
        Instant failed = NOW.minusSeconds(2);
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", down("c-1", failed, false));
        assertThat(TopologyDecider.decide(observe(beats, STEADY, failed, failed, Duration.ofSeconds(5))))
                .isInstanceOf(Decision.Waiting.class);
        assertThat(TopologyDecider.decide(observe(beats, STEADY, failed, failed, Duration.ofSeconds(1))))
                .isInstanceOf(Decision.PublishTopology.class);
    }

    @Test
    void aNewlyNamedPrimaryThatIsAliveGetsTimeToBePromoted() {
        Topology afterFailover = new Topology("c", 4, "c-2", List.of("c-3"), List.of(), 1, NOW.minusSeconds(10), "failover");
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", down("c-1", NOW, false));
        beats.put("c-3", up("c-3", Heartbeat.Role.REPLICA, NOW, 100, null));
        var waiting = new ClusterObservation("c", MEMBERS, beats, afterFailover, 4, NOW, Duration.ofSeconds(3),
                NOW.minusSeconds(10), NOW.minusSeconds(10), Map.of(), Duration.ZERO, Duration.ofSeconds(8), false, Duration.ofSeconds(30));
        assertThat(TopologyDecider.decide(waiting)).isInstanceOf(Decision.Waiting.class);
        var expired = new ClusterObservation("c", MEMBERS, beats, afterFailover, 4, NOW, Duration.ofSeconds(3),
                NOW.minusSeconds(10), NOW.minusSeconds(10), Map.of(), Duration.ZERO, Duration.ofSeconds(8), false, Duration.ofSeconds(5));
        assertThat(published(TopologyDecider.decide(expired)).primary()).isEqualTo("c-3");
    }

    @Test
    void aFencedPrimaryIsNeverFailedOver() {
        Topology fenced = new Topology("c", 5, "c-1", List.of("c-2", "c-3"), List.of("c-1"), 1, NOW, "fence c-1");
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-1", down("c-1", NOW.minusSeconds(30), false));
        Decision decision = TopologyDecider.decide(observe(beats, fenced, NOW.minusSeconds(30), NOW.minusSeconds(30), Duration.ZERO));
        assertThat(decision).isNotInstanceOf(Decision.PublishTopology.class);
    }

    @Test
    void aReplicaThatJoinsOrLeavesBumpsTheEpochButKeepsThePrimary() {
        Topology current = new Topology("c", 3, "c-1", List.of("c-2"), List.of(), 1, NOW, "x");
        Topology joined = published(TopologyDecider.decide(observe(healthy(), current, NOW, null, Duration.ZERO)));
        assertThat(joined.epoch()).isEqualTo(4);
        assertThat(joined.primary()).isEqualTo("c-1");
        assertThat(joined.replicas()).containsExactly("c-2", "c-3");
    }

    @Test
    void switchoverGoesToAHealthyReplicaAndIsIdempotent() {
        var command = ClusterCommand.of("c", ClusterCommand.Type.SWITCHOVER, "c-2");
        Topology next = published(TopologyDecider.decide(observe(healthy(), STEADY, NOW, null, Duration.ZERO), Optional.of(command)));
        assertThat(next.primary()).isEqualTo("c-2");
        assertThat(next.replicas()).containsExactly("c-3");
        assertThat(next.epoch()).isEqualTo(4);

        var replay = TopologyDecider.decide(observe(healthy(), next, NOW, null, Duration.ZERO), Optional.of(command));
        assertThat(replay).isInstanceOf(Decision.AlreadyDone.class);
    }

    @Test
    void switchoverToAnUnhealthyOrUnknownInstanceIsRejected() {
        Map<String, Heartbeat> beats = healthy();
        beats.put("c-3", down("c-3", NOW, false));
        var o = observe(beats, STEADY, NOW, null, Duration.ZERO);
        assertThat(TopologyDecider.decide(o, Optional.of(ClusterCommand.of("c", ClusterCommand.Type.SWITCHOVER, "c-3"))))
                .isInstanceOf(Decision.Rejected.class);
        assertThat(TopologyDecider.decide(o, Optional.of(ClusterCommand.of("c", ClusterCommand.Type.SWITCHOVER, "c-9"))))
                .isInstanceOf(Decision.Rejected.class);
    }

    @Test
    void fencingTakesAnInstanceOutAndUnfencingBringsItBack() {
        var o = observe(healthy(), STEADY, NOW, null, Duration.ZERO);
        Topology fenced = published(TopologyDecider.decide(o, Optional.of(ClusterCommand.of("c", ClusterCommand.Type.FENCE, "c-3"))));
        assertThat(fenced.fenced()).containsExactly("c-3");
        assertThat(fenced.replicas()).containsExactly("c-2");
        var again = observe(healthy(), fenced, NOW, null, Duration.ZERO);
        assertThat(TopologyDecider.decide(again, Optional.of(ClusterCommand.of("c", ClusterCommand.Type.FENCE, "c-3"))))
                .isInstanceOf(Decision.AlreadyDone.class);
        assertThat(TopologyDecider.decide(again)).as("a fenced replica stays out").isInstanceOf(Decision.Unchanged.class);
        Topology unfenced = published(TopologyDecider.decide(again, Optional.of(ClusterCommand.of("c", ClusterCommand.Type.UNFENCE, "c-3"))));
        assertThat(unfenced.fenced()).isEmpty();
    }
}
