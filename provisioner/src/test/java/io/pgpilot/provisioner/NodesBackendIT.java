package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.instance.node.LocalNodeOperations;
import io.pgpilot.instance.node.wire.NodeAgentServer;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.provisioner.nodes.NodeAgentClients;
import io.pgpilot.provisioner.nodes.NodeDirectory;
import io.pgpilot.provisioner.nodes.NodesBackend;
import io.pgpilot.provisioner.nodes.PlacementBook;
import io.pgpilot.provisioner.nodes.Placer;
import io.pgpilot.provisioner.placement.PlacementPlanner;
import io.pgpilot.provisioner.tls.CertificateAuthority;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import io.pgpilot.provisioner.tls.RenewalPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The placer's backend with two "nodes" on this host ({@link LocalNodeOperations} behind a
 * {@link NodeAgentServer} each, reached by the node agent client over loopback with the join token;
 * each its own home and base port, both addressed 127.0.0.1; certificates issued by the control
 * plane and installed on the nodes) and real PostgreSQL 15: a 2-instance cluster lands on two nodes
 * (anti-affinity required), the replica streams from the primary over TCP at the node's address,
 * a failover promotes the replica and the killed old primary is rewound, all through the nodes'
 * operations; a second backend over the same home finds every instance where it was placed.
 */
class NodesBackendIT {

    static final String CLUSTER = LocalClusterProvisioningIT.CLUSTER;

    Path tmp;
    Path controlHome;
    static final String JOIN_TOKEN = "nodes-backend-it-join-token";

    Map<String, LocalNodeOperations> nodes;
    Map<String, NodeAgentServer> agents;
    NodeDirectory directory;
    Supplier<CertificateAuthority> ca;
    NodesBackend backend;
    SecretStore secrets;
    RecordingPublisher publisher;
    ClusterReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "cp-nodes-");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        controlHome = Files.createDirectories(tmp.resolve("control"));
        ca = CertificateAuthority.atFirstUse(controlHome.resolve("secrets"), Clock.systemUTC());
        int basePort = ThreadLocalRandom.current().nextInt(20000, 39000);
        nodes = Map.of(
                "node-a", node("node-a", basePort),
                "node-b", node("node-b", basePort + 500));
        // each node behind its agent over loopback; both heartbeat all the time (every read sees a fresh heartbeatAt)
        agents = Map.of(
                "node-a", NodeAgentServer.start(nodes.get("node-a"), "127.0.0.1", 0, JOIN_TOKEN),
                "node-b", NodeAgentServer.start(nodes.get("node-b"), "127.0.0.1", 0, JOIN_TOKEN));
        directory = new NodeDirectory(() -> Map.of("node-a", record("node-a"), "node-b", record("node-b")), Clock.systemUTC(), null);
        backend = backend();
        secrets = new SecretStore(controlHome);
        publisher = new RecordingPublisher();
        reconciler = new ClusterReconciler(backend, secrets, publisher,
                new HaSettings(Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(15), Duration.ofSeconds(5)));
    }

    private NodeRecord record(String name) {
        return new NodeRecord(name, "127.0.0.1", "", Map.of(NodeAgentClients.AGENT_PORT_LABEL, String.valueOf(agents.get(name).port())), 4,
                Instant.EPOCH, Instant.now());
    }

    private LocalNodeOperations node(String name, int basePort) throws Exception {
        return new LocalNodeOperations(PostgresBinaries.detect(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED),
                Files.createDirectories(tmp.resolve(name)), basePort, "127.0.0.1");
    }

    private InstanceLayout onNode(String node, int ordinal) {
        return InstanceLayout.of(nodes.get(node).home(), CLUSTER, ordinal);
    }

    private NodesBackend backend() {
        return backend(NodeAgentClients.withToken(JOIN_TOKEN, Duration.ofSeconds(3), Duration.ofSeconds(30)));
    }

    private NodesBackend backend(java.util.function.Function<NodeRecord, io.pgpilot.instance.node.NodeOperations> connect) {
        Placer placer = new Placer(new PlacementPlanner(new PlacementPlanner.Settings(Duration.ofSeconds(5), Duration.ofMinutes(5),
                PlacementPlanner.AntiAffinity.REQUIRED)));
        return new NodesBackend(controlHome, directory, new PlacementBook(controlHome), placer, connect,
                new InstanceCertificates(ca, RenewalPolicy.DEFAULT, Clock.systemUTC(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED)),
                Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (reconciler != null) {
            reconciler.close(); // stops every instance through the backend
        }
        if (agents != null) {
            agents.values().forEach(NodeAgentServer::close);
        }
        for (LocalNodeOperations node : nodes.values()) {
            for (int ordinal = 1; ordinal <= 2; ordinal++) {
                node.stopOrKill(new InstanceRef(CLUSTER, ordinal), Duration.ofSeconds(5));
            }
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static ClusterDefinition twoInstances() throws Exception {
        String manifest = Files.readString(Path.of("../examples/postgres-cluster.yaml")).replace("instances: 3", "instances: 2");
        return ManifestValidator.parseAndValidate(manifest);
    }

    @Test
    void placesOnTwoNodesStreamsFailsOverAndRewindsThroughTheNodes() throws Exception {
        ClusterDefinition desired = twoInstances();
        reconciler.reconcile(desired);
        apply(new Topology(CLUSTER, 1, name(1), List.of(name(2)), List.of(), 0, Instant.now(), "test"));

        // anti-affinity: one instance per node, each in its node's own home
        String node1 = backend.nodeOf(CLUSTER, 1);
        String node2 = backend.nodeOf(CLUSTER, 2);
        assertThat(node1).isNotNull();
        assertThat(node2).isNotNull().isNotEqualTo(node1);
        assertThat(onNode(node1, 1).pgdata().resolve("PG_VERSION")).exists();
        assertThat(onNode(node2, 2).pgdata().resolve("standby.signal")).exists();
        assertThat(nodes.get(node1).ordinals(CLUSTER)).containsExactly(1);
        assertThat(nodes.get(node2).ordinals(CLUSTER)).containsExactly(2);
        assertThat(publisher.instances.values()).hasSize(2).allSatisfy(r -> {
            assertThat(r.host()).isEqualTo("127.0.0.1");
            assertThat(r.phase()).isEqualTo(InstanceRecord.Phase.RUNNING);
        });
        assertThat(publisher.events).noneMatch(e -> e.type().endsWith("instance.failed"));

        InstanceEndpoint p1 = backend.endpoint(backend.layout(CLUSTER, 1));
        InstanceEndpoint p2 = backend.endpoint(backend.layout(CLUSTER, 2));
        awaitStreaming(p1, name(2));
        execute(p1, "CREATE TABLE t (id int PRIMARY KEY)");
        execute(p1, "INSERT INTO t SELECT generate_series(1, 100)");
        String written = query(p1, "SELECT pg_current_wal_lsn()::text");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(SQLException.class)
                .until(() -> "t".equals(query(p2, "SELECT pg_last_wal_replay_lsn() >= '" + written + "'")));

        // failover: kill -9 of the primary on its node, the topology names 2; 1 comes back rewound
        long pid = Postmaster.pid(onNode(node1, 1));
        assertThat(new ProcessBuilder("kill", "-9", String.valueOf(pid)).inheritIO().start().waitFor()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !backend.isRunning(backend.layout(CLUSTER, 1)));
        apply(new Topology(CLUSTER, 2, name(2), List.of(name(1)), List.of(), 0, Instant.now(), "test"));

        assertThat(event("instance.promoted", name(2)).data()).containsEntry("timeline", 2);
        assertThat(query(p2, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        PlatformEvent rewound = event("instance.rewound", name(1));
        assertThat(rewound.data()).containsEntry("toTimeline", 2);
        assertThat(onNode(node1, 1).pgdata().resolve("standby.signal")).exists();
        awaitStreaming(p2, name(1));
        assertThat(query(p1, "SELECT sender_port FROM pg_stat_wal_receiver")).isEqualTo(String.valueOf(p2.port()));
        execute(p2, "INSERT INTO t VALUES (101)");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(SQLException.class)
                .until(() -> "101".equals(query(p1, "SELECT count(*) FROM t")));
        assertThat(publisher.instances.get(name(2)).acceptsWrites()).isTrue();

        // a restarted provisioner (new backend, same home) finds each instance on its node
        NodesBackend again = backend();
        assertThat(again.nodeOf(CLUSTER, 1)).isEqualTo(node1);
        assertThat(again.nodeOf(CLUSTER, 2)).isEqualTo(node2);
        assertThat(again.observe(CLUSTER)).hasSize(2).allSatisfy((ordinal, o) -> assertThat(o.running()).isTrue());
        assertThat(again.prepare(again.layout(CLUSTER, 2)).port()).isEqualTo(p2.port());
        assertThat(again.nodeOf(CLUSTER, 2)).isEqualTo(node2);

        // node 1 does not answer (nothing listens where its client connects): its instance is
        // unknown, left out of the observation, and node 2's is still observed
        var toNode2 = NodeAgentClients.withToken(JOIN_TOKEN, Duration.ofSeconds(3), Duration.ofSeconds(30));
        int nobody = io.pgpilot.launcher.FreePorts.next();
        NodesBackend withNode1Lost = backend(record -> record.name().equals(node1)
                ? new io.pgpilot.instance.node.wire.NodeAgentClient("127.0.0.1", nobody, JOIN_TOKEN, Duration.ofSeconds(1), Duration.ofSeconds(2))
                : toNode2.apply(record));
        assertThat(withNode1Lost.observe(CLUSTER)).containsOnlyKeys(2);
        assertThat(withNode1Lost.observeMembers(CLUSTER)).containsOnlyKeys(2);
    }

    // ---- helpers -------------------------------------------------------------------------------

    static String name(int ordinal) {
        return CLUSTER + "-" + ordinal;
    }

    /** A cluster applied while no node is registered is created once nodes register (no new spec needed). */
    @Test
    void aClusterAppliedBeforeAnyNodeRegisteredIsCreatedOnceNodesAre() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean registered = new java.util.concurrent.atomic.AtomicBoolean();
        directory = new NodeDirectory(() -> registered.get() ? Map.of("node-a", record("node-a"), "node-b", record("node-b")) : Map.of(),
                Clock.systemUTC(), null);
        reconciler.close();
        backend = backend();
        reconciler = new ClusterReconciler(backend, secrets, publisher,
                new HaSettings(Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(15), Duration.ofSeconds(5)));
        reconciler.submit(twoInstances()).get(60, TimeUnit.SECONDS);
        assertThat(backend.nodeOf(CLUSTER, 1)).as("no node to place it on yet").isNull();

        registered.set(true);
        await().atMost(Duration.ofSeconds(90)).until(() -> backend.nodeOf(CLUSTER, 1) != null && backend.nodeOf(CLUSTER, 2) != null
                && backend.isRunning(backend.layout(CLUSTER, 1)) && backend.isRunning(backend.layout(CLUSTER, 2)));
        assertThat(backend.nodeOf(CLUSTER, 1)).isNotEqualTo(backend.nodeOf(CLUSTER, 2));
    }

    private void apply(Topology topology) throws Exception {
        reconciler.applyTopology(topology).get(60, TimeUnit.SECONDS);
    }

    private PlatformEvent event(String type, String instance) {
        return publisher.events.reversed().stream()
                .filter(e -> e.type().equals(PlatformEvent.PREFIX + type) && instance.equals(e.instance()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " event for " + instance + " in "
                        + publisher.events.stream().map(e -> e.type() + "/" + e.instance()).toList()));
    }

    private void awaitStreaming(InstanceEndpoint primary, String standby) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> standby.equals(
                query(primary, "SELECT string_agg(application_name, ',') FROM pg_stat_replication WHERE state = 'streaming'")));
    }

    private Credentials superuser() {
        return secrets.superuser(CLUSTER);
    }

    private void execute(InstanceEndpoint instance, String sql) throws SQLException {
        try (Connection c = backend.connect(instance, "postgres", superuser()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private String query(InstanceEndpoint instance, String sql) throws SQLException {
        try (Connection c = backend.connect(instance, "postgres", superuser()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
