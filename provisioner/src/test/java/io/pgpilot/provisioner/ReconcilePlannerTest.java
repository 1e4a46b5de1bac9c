package io.pgpilot.provisioner;

import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ClusterDefinition.SynchronousReplication;
import io.pgpilot.provisioner.ReconcileAction.ConfigureAll;
import io.pgpilot.provisioner.ReconcileAction.CreatePrimary;
import io.pgpilot.provisioner.ReconcileAction.CreateReplica;
import io.pgpilot.provisioner.ReconcileAction.Delete;
import io.pgpilot.provisioner.ReconcileAction.EnsureDatabase;
import io.pgpilot.provisioner.ReconcileAction.Start;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcilePlannerTest {

    private static ClusterDefinition cluster(int instances) {
        return new ClusterDefinition("pc", instances, Map.of(), new SynchronousReplication(SynchronousReplication.Method.ANY, 1),
                "1Gi", null, 0, "app", "app");
    }

    private static Map<Integer, ObservedInstance> observed(ObservedInstance... instances) {
        Map<Integer, ObservedInstance> map = new TreeMap<>();
        for (ObservedInstance o : instances) {
            map.put(o.ordinal(), o);
        }
        return map;
    }

    private static ObservedInstance primary(int ordinal, boolean running) {
        return new ObservedInstance(ordinal, "pc-" + ordinal, 15431 + ordinal, true, false, running);
    }

    private static ObservedInstance replica(int ordinal, boolean running) {
        return new ObservedInstance(ordinal, "pc-" + ordinal, 15431 + ordinal, true, true, running);
    }

    @Test
    void newClusterCreatesPrimaryThenReplicasThenSetsSynchronousStandbys() {
        assertThat(ReconcilePlanner.plan(cluster(3), observed())).containsExactly(
                new CreatePrimary(1), new EnsureDatabase(1), new ConfigureAll(1),
                new CreateReplica(2, 1), new CreateReplica(3, 1), new ConfigureAll(1));
    }

    @Test
    void convergedClusterOnlyRechecksIdempotentSteps() {
        var plan = ReconcilePlanner.plan(cluster(3), observed(primary(1, true), replica(2, true), replica(3, true)));
        assertThat(plan).containsExactly(new EnsureDatabase(1), new ConfigureAll(1));
    }

    @Test
    void restartStartsPrimaryFirstThenReplicas() {
        var plan = ReconcilePlanner.plan(cluster(3), observed(replica(2, false), primary(1, false), replica(3, false)));
        assertThat(plan).startsWith(new Start(1), new Start(2), new Start(3));
    }

    @Test
    void aPartiallyCreatedReplicaIsCreatedAgain() {
        var half = new ObservedInstance(2, "pc-2", 15433, false, false, false);
        var plan = ReconcilePlanner.plan(cluster(2), observed(primary(1, true), half));
        assertThat(plan).contains(new CreateReplica(2, 1));
    }

    @Test
    void scaleUpCreatesOnlyNewOrdinals() {
        var plan = ReconcilePlanner.plan(cluster(4), observed(primary(1, true), replica(2, true), replica(3, true)));
        assertThat(plan).containsExactly(new EnsureDatabase(1), new ConfigureAll(1), new CreateReplica(4, 1), new ConfigureAll(1));
    }

    @Test
    void scaleDownReconfiguresFirstThenRemovesHighestOrdinals() {
        var plan = ReconcilePlanner.plan(cluster(1), observed(primary(1, true), replica(2, true), replica(3, true)));
        assertThat(plan).containsExactly(new EnsureDatabase(1), new ConfigureAll(1), new Delete(3), new Delete(2));
    }

    @Test
    void scaleDownNeverRemovesThePrimaryAfterAFailover() {
        // instance 3 was promoted elsewhere: it is the primary now, so scale down to 2 keeps it
        var plan = ReconcilePlanner.plan(cluster(2), observed(replica(1, true), replica(2, true), primary(3, true)));
        assertThat(plan).doesNotContain(new Delete(3));
        assertThat(plan).contains(new EnsureDatabase(3), new ConfigureAll(3));
    }

    @Test
    void replicasOfANewScaleUpCloneFromTheCurrentPrimary() {
        var plan = ReconcilePlanner.plan(cluster(3), observed(replica(1, true), primary(2, true)));
        assertThat(plan).contains(new CreateReplica(3, 2));
    }

    @Test
    void anInstanceOnANodeThatDoesNotAnswerStaysAStandbyCandidate() {
        assertThat(ReconcilePlanner.standbyCandidates("pc", 3, List.of(1, 2), List.of(3), 2)).containsExactly("pc-1", "pc-3");
        assertThat(ReconcilePlanner.standbyCandidates("pc", 3, List.of(3, 1), List.of(2, 4), 1)).containsExactly("pc-2", "pc-3");
        assertThat(ReconcilePlanner.standbyCandidates("pc", 2, List.of(1), List.of(2), 1)).as("the only replica, unknown")
                .containsExactly("pc-2");
    }

    @Test
    void standbyCandidatesExcludeSelfUninitializedAndRemovedInstances() {
        var observed = observed(primary(1, true), replica(2, true), replica(3, true),
                new ObservedInstance(4, "pc-4", 15435, false, false, false));
        assertThat(ReconcilePlanner.standbyCandidates(cluster(4), observed, 1)).containsExactly("pc-2", "pc-3");
        assertThat(ReconcilePlanner.standbyCandidates(cluster(2), observed, 1)).containsExactly("pc-2");
        assertThat(ReconcilePlanner.standbyCandidates(cluster(3), observed, 2)).containsExactly("pc-1", "pc-3");
        assertThat(cluster(3).synchronous().standbyNames(ReconcilePlanner.standbyCandidates(cluster(3), observed, 1)))
                .isEqualTo("ANY 1 (\"pc-2\",\"pc-3\")");
    }

    @Test
    void withATopologyThePrimaryIsTheTopologysAndStartingIsLeftToTheConvergence() {
        // after a failover to 2: 1 crashed (still no standby.signal), 3 stopped
        var observed = observed(primary(1, false), primary(2, true), replica(3, false));
        var plan = ReconcilePlanner.plan(cluster(3), observed, 2);
        assertThat(plan).containsExactly(new EnsureDatabase(2), new ConfigureAll(2));
        assertThat(ReconcilePlanner.plan(cluster(3), observed(), 1)).isEmpty();
    }
}
