package io.pgpilot.services;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointStateTest {

    private final EndpointState state = new EndpointState();

    private static InstanceRecord instance(String cluster, int ordinal, int port) {
        return record(cluster, ordinal, port, InstanceRecord.Phase.RUNNING, "replica");
    }

    private static InstanceRecord record(String cluster, int ordinal, int port, InstanceRecord.Phase phase, String message) {
        return new InstanceRecord(cluster, cluster + "-" + ordinal, ordinal, "127.0.0.1", port, "/data", phase, Instant.EPOCH, message);
    }

    private static Topology topology(long epoch, String primary, List<String> replicas, List<String> fenced) {
        return new Topology("pg", epoch, primary, replicas, fenced, 1, Instant.EPOCH, "test");
    }

    /** pg-1..3 running; {@code primary} confirmed as accepting writes. */
    private void threeInstances(int primary) {
        for (int i = 1; i <= 3; i++) {
            state.applyInstance("pg/pg-" + i, record("pg", i, 6000 + i, InstanceRecord.Phase.RUNNING, i == primary ? "primary" : "replica"));
        }
    }

    private static List<String> names(List<Server> servers) {
        return servers.stream().map(Server::name).toList();
    }

    @Test
    void routesPrimaryReplicasAndAll() {
        threeInstances(1);
        assertThat(state.applyTopology("pg", topology(1, "pg-1", List.of("pg-3", "pg-2"), List.of()))).isTrue();
        ClusterRoutes routes = state.routes().get("pg");
        assertThat(routes.epoch()).isEqualTo(1);
        assertThat(routes.rw()).containsExactly(new Server("pg-1", "127.0.0.1", 6001));
        assertThat(names(routes.ro())).containsExactly("pg-2", "pg-3");
        assertThat(names(routes.r())).containsExactly("pg-1", "pg-2", "pg-3");
    }

    @Test
    void instancesOnOtherHostsAreRoutedToTheirNodesAddress() {
        state.applyInstance("pg/pg-1", new InstanceRecord("pg", "pg-1", 1, "10.0.1.11", 15432, "/data", InstanceRecord.Phase.RUNNING,
                Instant.EPOCH, "primary"));
        state.applyInstance("pg/pg-2", new InstanceRecord("pg", "pg-2", 2, "10.0.1.12", 15432, "/data", InstanceRecord.Phase.RUNNING,
                Instant.EPOCH, "replica"));
        state.applyTopology("pg", topology(1, "pg-1", List.of("pg-2"), List.of()));
        ClusterRoutes routes = state.routes().get("pg");
        assertThat(routes.rw()).containsExactly(new Server("pg-1", "10.0.1.11", 15432));
        assertThat(routes.ro()).containsExactly(new Server("pg-2", "10.0.1.12", 15432));
        String config = new HaproxyConfigRenderer(java.nio.file.Path.of("/srv/haproxy.sock"))
                .render(List.of(new ClusterEndpoints(routes, EndpointPorts.from(5432))));
        assertThat(config).contains("server pg-1 10.0.1.11:15432 ").contains("server pg-2 10.0.1.12:15432 ");
    }

    @Test
    void ignoresTopologiesThatAreNotNewer() {
        threeInstances(2);
        state.applyTopology("pg", topology(5, "pg-2", List.of("pg-1"), List.of()));
        assertThat(state.applyTopology("pg", topology(4, "pg-1", List.of("pg-2"), List.of()))).isFalse();
        assertThat(state.applyTopology("pg", topology(5, "pg-1", List.of("pg-2"), List.of()))).isFalse();
        assertThat(names(state.routes().get("pg").rw())).containsExactly("pg-2");
    }

    @Test
    void fencedInstancesAreInNoEndpoint() {
        threeInstances(1);
        state.applyTopology("pg", topology(2, "pg-1", List.of("pg-2", "pg-3"), List.of("pg-1", "pg-3")));
        ClusterRoutes routes = state.routes().get("pg");
        assertThat(routes.rw()).isEmpty();
        assertThat(names(routes.ro())).containsExactly("pg-2");
        assertThat(names(routes.r())).containsExactly("pg-2");
    }

    @Test
    void noPrimaryMeansNoRwServerNeverAReplica() {
        threeInstances(1);
        state.applyTopology("pg", topology(2, null, List.of("pg-2", "pg-3"), List.of()));
        assertThat(state.routes().get("pg").rw()).isEmpty();
        assertThat(names(state.routes().get("pg").ro())).containsExactly("pg-2", "pg-3");
    }

    @Test
    void instancesWithoutAddressOrWithBadNamesAreNotRouted() {
        state.applyInstance("pg/pg-1", record("pg", 1, 6001, InstanceRecord.Phase.RUNNING, "primary"));
        assertThat(state.applyInstance("pg/evil-1", instance("evil", 1, 6009))).isFalse();
        assertThat(state.applyInstance("pg/pg-2", new InstanceRecord("pg", "pg-2", 2, "1.2.3.4 backup", 6002, "/d",
                InstanceRecord.Phase.RUNNING, Instant.EPOCH, null))).isTrue();
        state.applyTopology("pg", topology(1, "pg-1", List.of("pg-2", "pg-3", "evil-1"), List.of()));
        ClusterRoutes routes = state.routes().get("pg");
        assertThat(names(routes.rw())).containsExactly("pg-1");
        assertThat(routes.ro()).isEmpty();
        assertThat(state.applySpec("Bad_Name", true)).isFalse();
    }

    @Test
    void specTombstoneDeletesTheClusterUntilANewSpec() {
        state.applySpec("pg", true);
        threeInstances(1);
        state.applyTopology("pg", topology(3, "pg-1", List.of(), List.of()));
        assertThat(state.routes()).containsKey("pg");

        assertThat(state.applySpec("pg", false)).isTrue();
        assertThat(state.routes()).isEmpty();
        assertThat(state.applyTopology("pg", topology(4, "pg-1", List.of(), List.of()))).isFalse();
        assertThat(state.routes()).isEmpty();

        state.applySpec("pg", true);
        assertThat(state.routes().get("pg")).isEqualTo(ClusterRoutes.empty("pg", 0));
        // a recreated cluster starts its epochs afresh
        threeInstances(2);
        assertThat(state.applyTopology("pg", topology(1, "pg-2", List.of(), List.of()))).isTrue();
    }

    @Test
    void unchangedInstanceRecordIsNoChange() {
        assertThat(state.applyInstance("pg/pg-1", instance("pg", 1, 6001))).isTrue();
        assertThat(state.applyInstance("pg/pg-1", instance("pg", 1, 6001))).isFalse();
        assertThat(state.applyInstance("pg/pg-1", instance("pg", 1, 6011))).isTrue();
        assertThat(state.applyInstance("pg/pg-1", null)).isTrue();
    }

    @Test
    void rwWaitsForThePromotedInstanceToConfirmThatItAcceptsWrites() {
        threeInstances(1);
        state.applyTopology("pg", topology(1, "pg-1", List.of("pg-2", "pg-3"), List.of()));
        assertThat(names(state.routes().get("pg").rw())).containsExactly("pg-1");

        // failover decided: pg-2 is named primary but is still in recovery (its record says replica)
        assertThat(state.applyTopology("pg", topology(2, "pg-2", List.of("pg-3"), List.of()))).isTrue();
        assertThat(state.routes().get("pg").rw()).as("never a candidate before its promotion finished").isEmpty();
        assertThat(names(state.routes().get("pg").r())).as("reads may go to it").containsExactly("pg-2", "pg-3");
        assertThat(names(state.routes().get("pg").members())).as("listed (in maintenance) everywhere").containsExactly("pg-1", "pg-2", "pg-3");
        // the old primary's record still says primary: that never routes it once the topology moved on
        assertThat(names(state.routes().get("pg").ro())).containsExactly("pg-3");

        // the provisioner confirms the promotion
        assertThat(state.applyInstance("pg/pg-2", record("pg", 2, 6002, InstanceRecord.Phase.RUNNING, "primary"))).isTrue();
        assertThat(names(state.routes().get("pg").rw())).containsExactly("pg-2");

        // the primary stops (crash seen, demotion, failure): rw closes before any new topology
        assertThat(state.applyInstance("pg/pg-2", record("pg", 2, 6002, InstanceRecord.Phase.STOPPED, "not running"))).isTrue();
        assertThat(state.routes().get("pg").rw()).isEmpty();
        assertThat(state.applyInstance("pg/pg-2", record("pg", 2, 6002, InstanceRecord.Phase.FAILED, "primary"))).isFalse();
        assertThat(state.routes().get("pg").rw()).isEmpty();
    }
}
