package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;
import io.pgpilot.provisioner.ReplacementPlanner.Hold;
import io.pgpilot.provisioner.ReplacementPlanner.Recreate;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplacementPlannerTest {

    static Topology topology(String primary, List<String> fenced) {
        return new Topology("pc", 3, primary, List.of(), fenced, 1, Instant.EPOCH, "test");
    }

    @Test
    void nothingLostNothingToDo() {
        assertThat(ReplacementPlanner.plan(topology("pc-1", List.of()), 3, Map.of())).isEmpty();
    }

    @Test
    void aReplicaOfALostNodeIsRecreatedFromTheTopologyPrimary() {
        assertThat(ReplacementPlanner.plan(topology("pc-1", List.of()), 3, Map.of(3, "b", 2, "c")))
                .containsExactly(new Recreate(2, "c", 1), new Recreate(3, "b", 1));
    }

    @Test
    void theTopologyPrimaryIsNeverRecreatedAndNothingIsClonedWithoutIt() {
        var decisions = ReplacementPlanner.plan(topology("pc-1", List.of()), 3, Map.of(1, "a", 2, "b"));
        assertThat(decisions).hasSize(2).allMatch(Hold.class::isInstance);
        assertThat(((Hold) decisions.get(0)).reason()).contains("topology primary");
        assertThat(((Hold) decisions.get(1)).reason()).contains("pc-1 is lost too");
    }

    @Test
    void anOldPrimaryFailedOverAwayFromIsRecreatedAsAReplica() {
        // failover made pc-2 primary; pc-1 (the old primary) is on the lost node
        assertThat(ReplacementPlanner.plan(topology("pc-2", List.of()), 2, Map.of(1, "a")))
                .containsExactly(new Recreate(1, "a", 2));
    }

    @Test
    void fencedAndScaledDownInstancesStayWhereTheyAre() {
        var decisions = ReplacementPlanner.plan(topology("pc-1", List.of("pc-2")), 2, Map.of(2, "b", 3, "c"));
        assertThat(decisions).extracting(d -> ((Hold) d).reason()).containsExactly("fenced by the topology", "beyond the 2 desired instances");
    }

    @Test
    void aTopologyPrimaryOfAnotherNameHoldsEverything() {
        assertThat(ReplacementPlanner.plan(topology(null, List.of()), 2, Map.of(2, "b"))).singleElement().isInstanceOf(Hold.class);
    }
}
