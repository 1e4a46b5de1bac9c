package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.provisioner.ConvergenceStep.Demote;
import io.pgpilot.provisioner.ConvergenceStep.Fence;
import io.pgpilot.provisioner.ConvergenceStep.HoldPrimary;
import io.pgpilot.provisioner.ConvergenceStep.Promote;
import io.pgpilot.provisioner.ConvergenceStep.Rejoin;
import io.pgpilot.provisioner.ConvergenceStep.Repoint;
import io.pgpilot.provisioner.ConvergenceStep.StartPrimary;
import io.pgpilot.provisioner.TopologyConvergencePlanner.Context;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyConvergencePlannerTest {

    static final Duration GRACE = Duration.ofSeconds(15);
    static final Context UP = new Context(true, null, GRACE);

    static Topology topology(long epoch, String primary, List<String> replicas, List<String> fenced) {
        return new Topology("pc", epoch, primary, replicas, fenced, 1, Instant.EPOCH, "test");
    }

    static Map<Integer, MemberState> members(MemberState... ms) {
        Map<Integer, MemberState> map = new TreeMap<>();
        for (MemberState m : ms) {
            map.put(m.ordinal(), m);
        }
        return map;
    }

    static int port(int ordinal) {
        return 5000 + ordinal;
    }

    static MemberState primary(int o, boolean running) {
        return new MemberState(o, "pc-" + o, port(o), true, false, running, 0);
    }

    static MemberState standby(int o, boolean running, int upstreamOrdinal) {
        return new MemberState(o, "pc-" + o, port(o), true, true, running, upstreamOrdinal == 0 ? 0 : port(upstreamOrdinal));
    }

    @Test
    void onSeveralHostsAStandbyFollowingTheSamePortOfAnotherHostIsRepointed() {
        // every node starts at the same base port: only the host tells the upstreams apart
        MemberState p2 = new MemberState(2, "pc-2", 15432, true, false, true, 0, null);
        MemberState s1 = new MemberState(1, "pc-1", 15432, true, true, true, 15432, "10.0.1.12");
        MemberState s3 = new MemberState(3, "pc-3", 15432, true, true, true, 15432, "10.0.1.11");
        var plan = TopologyConvergencePlanner.plan(topology(2, "pc-2", List.of("pc-1", "pc-3"), List.of()),
                members(s1, p2, s3), UP.withPrimaryHost("10.0.1.12"));
        assertThat(plan).containsExactly(new Repoint(3, 2));
        assertThat(TopologyConvergencePlanner.plan(topology(2, "pc-2", List.of("pc-1", "pc-3"), List.of()),
                members(s1, p2, s3), UP)).as("without hosts (one host) ports decide").isEmpty();
    }

    @Test
    void convergedClusterNeedsNothing() {
        var plan = TopologyConvergencePlanner.plan(topology(1, "pc-1", List.of("pc-2", "pc-3"), List.of()),
                members(primary(1, true), standby(2, true, 1), standby(3, true, 1)), UP);
        assertThat(plan).isEmpty();
    }

    @Test
    void failoverPromotesRepointsTheOtherStandbyAndRejoinsTheCrashedPrimary() {
        var plan = TopologyConvergencePlanner.plan(topology(2, "pc-2", List.of("pc-3", "pc-1"), List.of()),
                members(primary(1, false), standby(2, true, 1), standby(3, true, 1)), new Context(false, null, GRACE));
        assertThat(plan).containsExactly(new Promote(2, false), new Repoint(3, 2), new Rejoin(1, 2));
    }

    @Test
    void switchoverDemotesFirstThenPromotesThenRejoinsTheOldPrimary() {
        var plan = TopologyConvergencePlanner.plan(topology(3, "pc-3", List.of("pc-1", "pc-2"), List.of()),
                members(standby(1, true, 2), primary(2, true), standby(3, true, 2)), new Context(false, null, GRACE));
        assertThat(plan).containsExactly(new Demote(2), new Promote(3, false), new Repoint(1, 3), new Rejoin(2, 3));
    }

    @Test
    void aStoppedStandbyNamedPrimaryIsStartedThenPromoted() {
        var plan = TopologyConvergencePlanner.plan(topology(2, "pc-2", List.of("pc-1"), List.of()),
                members(primary(1, false), standby(2, false, 1)), new Context(false, null, GRACE));
        assertThat(plan).containsExactly(new Promote(2, true), new Rejoin(1, 2));
    }

    @Test
    void aNonPrimaryIsNeverStartedAsItIsOnlyRejoined() {
        var plan = TopologyConvergencePlanner.plan(topology(5, "pc-2", List.of("pc-1", "pc-3"), List.of()),
                members(primary(1, false), primary(2, true), standby(3, false, 1)), UP);
        assertThat(plan).containsExactly(new Rejoin(1, 2), new Rejoin(3, 2));
        assertThat(plan).noneMatch(s -> s instanceof StartPrimary);
    }

    @Test
    void crashedReplicaIsRestartedAtOnce() {
        var plan = TopologyConvergencePlanner.plan(topology(1, "pc-1", List.of("pc-2", "pc-3"), List.of()),
                members(primary(1, true), standby(2, false, 1), standby(3, true, 1)), UP);
        assertThat(plan).containsExactly(new Rejoin(2, 1));
    }

    @Test
    void crashedPrimaryIsHeldDuringTheGracePeriodAndNothingRejoinsMeanwhile() {
        var observed = members(primary(1, false), standby(2, true, 1), standby(3, false, 1));
        var topology = topology(1, "pc-1", List.of("pc-2", "pc-3"), List.of());
        var held = TopologyConvergencePlanner.plan(topology, observed, new Context(true, Duration.ofSeconds(3), GRACE));
        assertThat(held).hasSize(1).first().isInstanceOf(HoldPrimary.class);
        var restarted = TopologyConvergencePlanner.plan(topology, observed, new Context(true, GRACE, GRACE));
        assertThat(restarted).hasSize(2).startsWith(new StartPrimary(1, "still primary after a grace period of 15 s"))
                .endsWith(new Rejoin(3, 1));
    }

    @Test
    void aSingleInstanceClusterRestartsItsPrimaryAtOnce() {
        var plan = TopologyConvergencePlanner.plan(topology(1, "pc-1", List.of(), List.of()), members(primary(1, false)),
                new Context(true, Duration.ZERO, GRACE));
        assertThat(plan).containsExactly(new StartPrimary(1, "single-instance cluster"));
    }

    @Test
    void aPrimaryNeverSeenRunningUnderThisTopologyStartsAtOnce() {
        var plan = TopologyConvergencePlanner.plan(topology(1, "pc-1", List.of("pc-2"), List.of()),
                members(primary(1, false), standby(2, false, 1)), new Context(false, null, GRACE));
        assertThat(plan).containsExactly(new StartPrimary(1, "named primary by the topology"), new Rejoin(2, 1));
    }

    @Test
    void fencedInstancesAreStoppedAndNeverRejoinedNorRepointed() {
        var plan = TopologyConvergencePlanner.plan(topology(4, "pc-2", List.of("pc-3"), List.of("pc-1")),
                members(standby(1, true, 3), primary(2, true), standby(3, true, 2)), UP);
        assertThat(plan).containsExactly(new Fence(1));
        var stopped = TopologyConvergencePlanner.plan(topology(4, "pc-2", List.of("pc-3"), List.of("pc-1")),
                members(standby(1, false, 3), primary(2, true), standby(3, true, 2)), UP);
        assertThat(stopped).containsExactly(new Fence(1));
    }

    @Test
    void aFencedRunningPrimaryIsDemotedThenKeptStopped() {
        var plan = TopologyConvergencePlanner.plan(topology(4, "pc-2", List.of(), List.of("pc-1")),
                members(primary(1, true), standby(2, true, 1)), new Context(false, null, GRACE));
        assertThat(plan).containsExactly(new Demote(1), new Promote(2, false), new Fence(1));
    }

    @Test
    void aFencedTopologyPrimaryIsNotStarted() {
        var plan = TopologyConvergencePlanner.plan(topology(4, "pc-1", List.of("pc-2"), List.of("pc-1")),
                members(primary(1, false), standby(2, true, 1)), UP);
        assertThat(plan).containsExactly(new Fence(1));
    }

    @Test
    void unknownOrUninitializedInstancesAreLeftAlone() {
        var half = new MemberState(3, "pc-3", port(3), false, false, false, 0);
        var plan = TopologyConvergencePlanner.plan(topology(1, "pc-1", List.of("pc-2", "pc-3"), List.of()),
                members(primary(1, true), standby(2, true, 1), half), UP);
        assertThat(plan).isEmpty();
        var noPrimary = TopologyConvergencePlanner.plan(topology(1, "pc-9", List.of("pc-1"), List.of()),
                members(standby(1, true, 2)), UP);
        assertThat(noPrimary).isEmpty();
    }
}
