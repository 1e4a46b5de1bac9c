package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;
import io.pgpilot.provisioner.RollingRestartPlanner.Member;
import io.pgpilot.provisioner.RollingRestartPlanner.Step;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RollingRestartPlannerTest {

    static final Topology TOPOLOGY = new Topology("c", 5, "c-1", List.of("c-2", "c-3"), List.of(), 1, Instant.EPOCH, "t");

    static Member ok(String name, boolean pending, long lsn) {
        return new Member(name, true, !name.equals("c-1"), pending, lsn);
    }

    @Test
    void nothingPendingIsDone() {
        assertThat(RollingRestartPlanner.next(TOPOLOGY, Map.of("c-1", ok("c-1", false, 0), "c-2", ok("c-2", false, 9),
                "c-3", ok("c-3", false, 9)), true)).isEqualTo(new Step.Done());
    }

    @Test
    void replicasOneAtATimeEachStreamingBeforeTheNextThenASwitchoverToTheMostAdvanced() {
        var all = Map.of("c-1", ok("c-1", true, 0), "c-2", ok("c-2", true, 9), "c-3", ok("c-3", true, 9));
        assertThat(RollingRestartPlanner.next(TOPOLOGY, all, true)).isEqualTo(new Step.RestartReplica("c-2"));
        var c2Restarting = Map.of("c-1", ok("c-1", true, 0), "c-2", new Member("c-2", true, false, false, 0),
                "c-3", ok("c-3", true, 9));
        assertThat(RollingRestartPlanner.next(TOPOLOGY, c2Restarting, true)).isInstanceOf(Step.Wait.class);
        var c2Done = Map.of("c-1", ok("c-1", true, 0), "c-2", ok("c-2", false, 10), "c-3", ok("c-3", true, 9));
        assertThat(RollingRestartPlanner.next(TOPOLOGY, c2Done, true)).isEqualTo(new Step.RestartReplica("c-3"));
        var replicasDone = Map.of("c-1", ok("c-1", true, 0), "c-2", ok("c-2", false, 10), "c-3", ok("c-3", false, 12));
        assertThat(RollingRestartPlanner.next(TOPOLOGY, replicasDone, true)).isEqualTo(new Step.Switchover("c-1", "c-3"));
        assertThat(RollingRestartPlanner.next(TOPOLOGY, replicasDone, false)).isEqualTo(new Step.RestartPrimary("c-1"));
    }

    @Test
    void aSingleInstanceRestartsInPlaceAndAFencedMemberIsLeftAlone() {
        Topology single = new Topology("c", 1, "c-1", List.of(), List.of(), 1, Instant.EPOCH, "t");
        assertThat(RollingRestartPlanner.next(single, Map.of("c-1", ok("c-1", true, 0)), true)).isEqualTo(new Step.RestartPrimary("c-1"));
        Topology fenced = new Topology("c", 2, "c-1", List.of("c-2"), List.of("c-3"), 1, Instant.EPOCH, "t");
        var members = Map.of("c-1", ok("c-1", false, 0), "c-2", ok("c-2", false, 9), "c-3", new Member("c-3", false, false, true, 0));
        assertThat(RollingRestartPlanner.next(fenced, members, true)).isEqualTo(new Step.Done());
    }
}
