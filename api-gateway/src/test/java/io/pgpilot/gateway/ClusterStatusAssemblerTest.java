package io.pgpilot.gateway;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterStatusAssemblerTest {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    static Heartbeat beat(String instance, Heartbeat.Role role, Instant at, List<Heartbeat.StandbyStatus> standbys) {
        return new Heartbeat("postgres-cluster", instance, at, 1, Heartbeat.State.UP, true, role, 1, 0x3000000, 0x3000000,
                0x2FFFF00, role == Heartbeat.Role.REPLICA ? 256 : 0, 0.2, role == Heartbeat.Role.REPLICA ? "streaming" : null,
                null, 3, 10, standbys, null);
    }

    static InstanceRecord running(String instance, int port) {
        return new InstanceRecord("postgres-cluster", instance, Integer.parseInt(instance.substring(instance.length() - 1)),
                "127.0.0.1", port, "/x", InstanceRecord.Phase.RUNNING, NOW, null);
    }

    @Test
    void healthyReferenceClusterLooksLikeCnpgStatus() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var definition = ManifestValidator.validate(manifest);
        var topology = new Topology("postgres-cluster", 1, "postgres-cluster-1",
                List.of("postgres-cluster-2", "postgres-cluster-3"), List.of(), 1, NOW, "initial election");
        var standbys = List.of(
                new Heartbeat.StandbyStatus("postgres-cluster-2", "streaming", "quorum", 1, 1, 1, 0),
                new Heartbeat.StandbyStatus("postgres-cluster-3", "streaming", "quorum", 1, 1, 1, 0));
        var status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 1, NOW), definition, topology,
                Map.of("postgres-cluster-1", running("postgres-cluster-1", 15432),
                        "postgres-cluster-2", running("postgres-cluster-2", 15433),
                        "postgres-cluster-3", running("postgres-cluster-3", 15434)),
                Map.of("postgres-cluster-1", beat("postgres-cluster-1", Heartbeat.Role.PRIMARY, NOW, standbys),
                        "postgres-cluster-2", beat("postgres-cluster-2", Heartbeat.Role.REPLICA, NOW, List.of()),
                        "postgres-cluster-3", beat("postgres-cluster-3", Heartbeat.Role.REPLICA, NOW.minusSeconds(10), List.of())),
                new EndpointsRecord("postgres-cluster", "127.0.0.1", 5432, 5433, 5434, 1, NOW), NOW);

        assertThat(status.phase()).isEqualTo("Waiting for the instances to become active");
        assertThat(status.readyInstances()).isEqualTo(2);
        assertThat(status.currentPrimary()).isEqualTo("postgres-cluster-1");
        assertThat(status.synchronousStandbys()).isEqualTo(1);
        assertThat(status.synchronousStandbyNames()).isEqualTo("ANY 1 (\"postgres-cluster-2\",\"postgres-cluster-3\")");
        assertThat(status.endpoints()).containsEntry("postgres-cluster-rw", "127.0.0.1:5432");
        var replica = status.instanceStatus().get(1);
        assertThat(replica.role()).isEqualTo("replica");
        assertThat(replica.status()).isEqualTo("ok");
        assertThat(replica.receivedLsn()).isEqualTo("0/3000000");
        assertThat(replica.lagBytes()).isEqualTo(256);
        assertThat(replica.syncState()).isEqualTo("quorum");
        assertThat(status.instanceStatus().get(2).status()).as("stale heartbeat").isEqualTo("unknown");
    }

    @Test
    void aPendingRestartKeepsTheClusterFromBeingHealthy() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var topology = new Topology("postgres-cluster", 1, "postgres-cluster-1",
                List.of("postgres-cluster-2", "postgres-cluster-3"), List.of(), 1, NOW, "initial election");
        var standbys = List.of(
                new Heartbeat.StandbyStatus("postgres-cluster-2", "streaming", "quorum", 1, 1, 1, 0),
                new Heartbeat.StandbyStatus("postgres-cluster-3", "streaming", "quorum", 1, 1, 1, 0));
        Heartbeat pending = beat("postgres-cluster-3", Heartbeat.Role.REPLICA, NOW, List.of());
        pending = new Heartbeat(pending.cluster(), pending.instance(), pending.observedAt(), pending.sequence(), pending.state(),
                pending.processAlive(), pending.role(), pending.timeline(), pending.currentLsn(), pending.receiveLsn(),
                pending.replayLsn(), pending.lagBytes(), pending.lagSeconds(), pending.walReceiverStatus(), pending.upstream(),
                pending.connections(), pending.xactCommit(), pending.standbys(), null, null, true);
        var inventory = Map.of("postgres-cluster-1", running("postgres-cluster-1", 15432),
                "postgres-cluster-2", running("postgres-cluster-2", 15433),
                "postgres-cluster-3", running("postgres-cluster-3", 15434));
        var beats = new java.util.HashMap<>(Map.of("postgres-cluster-1", beat("postgres-cluster-1", Heartbeat.Role.PRIMARY, NOW, standbys),
                "postgres-cluster-2", beat("postgres-cluster-2", Heartbeat.Role.REPLICA, NOW, List.of()),
                "postgres-cluster-3", pending));
        var definition = ManifestValidator.validate(manifest);
        var status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 2, NOW), definition, topology, inventory,
                beats, null, NOW);
        assertThat(status.phase()).isEqualTo("Applying configuration: restart pending on postgres-cluster-3");
        assertThat(status.pendingRestart()).containsExactly("postgres-cluster-3");
        beats.put("postgres-cluster-3", beat("postgres-cluster-3", Heartbeat.Role.REPLICA, NOW, List.of()));
        status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 2, NOW), definition, topology, inventory, beats, null, NOW);
        assertThat(status.phase()).isEqualTo("Cluster in healthy state");
        assertThat(status.pendingRestart()).isNull();
    }

    @Test
    void beforeTheElectionTheClusterIsSettingUp() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 1, NOW),
                ManifestValidator.validate(manifest), null, Map.of(), Map.of(), null, NOW);
        assertThat(status.phase()).isEqualTo("Setting up primary");
        assertThat(status.instanceStatus()).extracting(ClusterStatus.InstanceStatus::status).containsOnly("pending");
        assertThat(status.endpoints()).isNull();
    }

    @Test
    void aClusterBeingCreatedShowsItsProgressAndLastEvent() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var topology = new Topology("postgres-cluster", 1, "postgres-cluster-1", List.of(), List.of(), 1, NOW, "initial election");
        var creating = new InstanceRecord("postgres-cluster", "postgres-cluster-2", 2, "127.0.0.1", 15433, "/x",
                InstanceRecord.Phase.CREATING, NOW, "replica");
        var event = new ClusterStatus.LastEvent("io.pgpilot.instance.creating", "postgres-cluster-2",
                "creating replica postgres-cluster-2 (2 of 3)", NOW, 2, 3);
        var spec = new ClusterSpecRecord(manifest, 1, NOW.minusSeconds(5));
        var status = ClusterStatusAssembler.assemble(spec, ManifestValidator.validate(manifest), topology,
                Map.of("postgres-cluster-1", running("postgres-cluster-1", 15432), "postgres-cluster-2", creating),
                Map.of("postgres-cluster-1", beat("postgres-cluster-1", Heartbeat.Role.PRIMARY, NOW, List.of())), null, event, NOW);
        assertThat(status.progress()).isEqualTo(new ClusterStatus.Progress(1, 3, 33,
                "1/3 instances ready; creating postgres-cluster-2; last event: creating replica postgres-cluster-2 (2 of 3)"));
        assertThat(status.lastEvent()).isEqualTo(event);

        // an event from before the current spec (an earlier cluster of that name) is not shown
        var older = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 1, NOW.plusSeconds(1)),
                ManifestValidator.validate(manifest), null, Map.of(), Map.of(), null, event, NOW);
        assertThat(older.lastEvent()).isNull();
        assertThat(older.progress().message()).isEqualTo("0/3 instances ready; waiting for postgres-cluster-1, postgres-cluster-2, postgres-cluster-3");
    }

    @Test
    void aHealthyClusterHasNoProgress() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var definition = ManifestValidator.validate(manifest);
        var topology = new Topology("postgres-cluster", 1, "postgres-cluster-1",
                List.of("postgres-cluster-2", "postgres-cluster-3"), List.of(), 1, NOW, "initial election");
        var status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 1, NOW), definition, topology,
                Map.of("postgres-cluster-1", running("postgres-cluster-1", 15432),
                        "postgres-cluster-2", running("postgres-cluster-2", 15433),
                        "postgres-cluster-3", running("postgres-cluster-3", 15434)),
                Map.of("postgres-cluster-1", beat("postgres-cluster-1", Heartbeat.Role.PRIMARY, NOW, standbys("quorum", "quorum")),
                        "postgres-cluster-2", beat("postgres-cluster-2", Heartbeat.Role.REPLICA, NOW, List.of()),
                        "postgres-cluster-3", beat("postgres-cluster-3", Heartbeat.Role.REPLICA, NOW, List.of())), null, NOW);
        assertThat(status.phase()).isEqualTo("Cluster in healthy state");
        assertThat(status.progress()).isNull();
    }

    @Test
    void allInstancesUpIsNotHealthyUntilEveryReplicaIsASyncCandidate() throws Exception {
        ClusterManifest manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var topology = new Topology("postgres-cluster", 1, "postgres-cluster-1",
                List.of("postgres-cluster-2", "postgres-cluster-3"), List.of(), 1, NOW, "initial election");
        var status = ClusterStatusAssembler.assemble(new ClusterSpecRecord(manifest, 1, NOW), ManifestValidator.validate(manifest),
                topology,
                Map.of("postgres-cluster-1", running("postgres-cluster-1", 15432),
                        "postgres-cluster-2", running("postgres-cluster-2", 15433),
                        "postgres-cluster-3", running("postgres-cluster-3", 15434)),
                Map.of("postgres-cluster-1", beat("postgres-cluster-1", Heartbeat.Role.PRIMARY, NOW, standbys("quorum", "async")),
                        "postgres-cluster-2", beat("postgres-cluster-2", Heartbeat.Role.REPLICA, NOW, List.of()),
                        "postgres-cluster-3", beat("postgres-cluster-3", Heartbeat.Role.REPLICA, NOW, List.of())), null, NOW);
        assertThat(status.readyInstances()).isEqualTo(3);
        assertThat(status.phase()).isEqualTo("Waiting for synchronous replication to be configured");
    }

    static List<Heartbeat.StandbyStatus> standbys(String second, String third) {
        return List.of(new Heartbeat.StandbyStatus("postgres-cluster-2", "streaming", second, 1, 1, 1, 0),
                new Heartbeat.StandbyStatus("postgres-cluster-3", "streaming", third, 1, 1, 1, 0));
    }
}
