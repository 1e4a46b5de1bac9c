package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.Json;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reference manifest provisioned for real: 3 PostgreSQL 15 instances as OS processes under a
 * temporary home, then restarted, scaled down and deleted.
 */
class LocalClusterProvisioningIT {

    static final String CLUSTER = "postgres-cluster";

    @TempDir
    Path tmp;

    Path home;
    LocalProcessBackend postgres;
    SecretStore secrets;
    RecordingPublisher publisher;
    ClusterReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = tmp.resolve("home");
        Files.createDirectories(home);
        int basePort = ThreadLocalRandom.current().nextInt(20000, 40000);
        postgres = new LocalProcessBackend(PostgresBinaries.detect(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED), home, basePort);
        secrets = new SecretStore(home);
        publisher = new RecordingPublisher();
        reconciler = new ClusterReconciler(postgres, secrets, publisher);
    }

    @AfterEach
    void tearDown() {
        reconciler.close(); // stops whatever a failed test left running
    }

    static ClusterDefinition referenceManifest() throws Exception {
        return ManifestValidator.parseAndValidate(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
    }

    @Test
    void provisionsRestartsScalesDownAndDeletesTheReferenceCluster() throws Exception {
        ClusterDefinition desired = referenceManifest();
        assertThat(desired.instances()).isEqualTo(3);

        long started = System.nanoTime();
        reconciler.reconcile(desired);
        long provisionMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("PROVISION_3_INSTANCES_MS=" + provisionMillis);

        Map<Integer, Integer> ports = ports();
        assertThat(ports).hasSize(3);
        assertThat(publisher.instances.values()).hasSize(3).allSatisfy(r -> {
            assertThat(r.phase()).isEqualTo(Phase.RUNNING);
            assertThat(r.host()).isEqualTo("127.0.0.1");
            assertThat(r.dataDirectory()).endsWith("/pgdata");
        });
        assertThat(publisher.lastEvent("cluster.ready")).isPresent();
        assertThat(publisher.events).noneMatch(e -> e.type().endsWith("instance.failed"));

        // roles: 1 primary, 2 and 3 streaming replicas, quorum-synchronous
        assertThat(inRecovery(ports.get(1))).isFalse();
        assertThat(inRecovery(ports.get(2))).isTrue();
        assertThat(inRecovery(ports.get(3))).isTrue();
        awaitStreaming(ports.get(1), 2);
        assertThat(query(ports.get(1), "postgres", "SHOW synchronous_standby_names"))
                .isEqualTo("ANY 1 (\"postgres-cluster-2\",\"postgres-cluster-3\")");

        // configuration on every instance
        for (int port : ports.values()) {
            assertThat(query(port, "postgres", "SHOW max_connections")).isEqualTo("200");
            assertThat(query(port, "postgres", "SHOW shared_buffers")).isEqualTo("256MB");
            assertThat(query(port, "postgres", "SHOW effective_cache_size")).isEqualTo("512MB");
            assertThat(query(port, "postgres", "SHOW wal_level")).isEqualTo("replica");
            assertThat(query(port, "postgres", "SHOW hot_standby")).isEqualTo("on");
            assertThat(query(port, "postgres", "SHOW wal_log_hints")).isEqualTo("on");
            assertThat(query(port, "postgres", "SHOW data_checksums")).isEqualTo("on");
        }

        // the application database and its owner, reachable with the app secret
        assertThat(query(ports.get(1), "postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'"))
                .isEqualTo("app");
        Map<String, String> app = readSecret("app");
        assertThat(app).containsEntry("username", "app").containsEntry("dbname", "app").containsEntry("port", String.valueOf(ports.get(1)));
        try (Connection c = DriverManager.getConnection(app.get("jdbc-uri")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO t VALUES (1, 'written on the primary')");
        }
        for (String kind : List.of("app", "superuser", "replication")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.file(CLUSTER, kind)))).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.directory()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(postgres.layout(CLUSTER, 1).pgdata()))).isEqualTo("rwx------");
        if (OsUser.isRoot()) {
            for (int ordinal = 1; ordinal <= 3; ordinal++) {
                Path pid = postgres.layout(CLUSTER, ordinal).pgdata().resolve("postmaster.pid");
                assertThat(Files.getOwner(pid).getName()).isEqualTo("postgres");
                long postmaster = Long.parseLong(Files.readAllLines(pid).getFirst().trim());
                assertThat(Files.getOwner(Path.of("/proc", String.valueOf(postmaster))).getName()).isEqualTo("postgres");
            }
        }
        // no password in any configuration file or log of the instances
        assertNoSecretOnDiskOutsideSecrets();

        // streaming: the row reaches both replicas
        for (int ordinal : List.of(2, 3)) {
            int port = ports.get(ordinal);
            await().atMost(Duration.ofSeconds(30)).until(() -> "written on the primary".equals(
                    queryAs(port, "app", app.get("username"), app.get("password"), "SELECT note FROM t WHERE id = 1")));
        }

        // idempotent: a second pass changes nothing
        reconciler.reconcile(desired);
        assertThat(ports()).isEqualTo(ports);
        assertThat(publisher.events).noneMatch(e -> e.type().endsWith("instance.failed"));

        // platform restart: stop everything, recover with a fresh reconciler
        List<Long> pidsBefore = postmasterPids();
        reconciler.stopAll();
        for (int ordinal = 1; ordinal <= 3; ordinal++) {
            assertThat(postgres.isRunning(postgres.layout(CLUSTER, ordinal))).isFalse();
        }
        pidsBefore.forEach(pid -> assertThat(Postmaster.alive(pid)).as("postmaster %d", pid).isFalse());
        reconciler = new ClusterReconciler(postgres, secrets, publisher);
        started = System.nanoTime();
        reconciler.recoverAtStartup();
        System.out.println("RECOVER_3_INSTANCES_MS=" + (System.nanoTime() - started) / 1_000_000);
        assertThat(ports()).isEqualTo(ports);
        assertThat(inRecovery(ports.get(1))).isFalse();
        assertThat(inRecovery(ports.get(2))).isTrue();
        assertThat(inRecovery(ports.get(3))).isTrue();
        awaitStreaming(ports.get(1), 2);

        // spec update: scale down to 2 and change a reloadable parameter
        Map<String, String> parameters = new HashMap<>(desired.parameters());
        parameters.put("work_mem", "8MB");
        ClusterDefinition smaller = new ClusterDefinition(desired.name(), 2, parameters, desired.synchronous(), desired.storageSize(),
                desired.backup(), desired.failoverDelaySeconds(), desired.database(), desired.owner());
        reconciler.reconcile(smaller);
        assertThat(postgres.layout(CLUSTER, 3).directory()).doesNotExist();
        assertThat(publisher.tombstones).containsExactly("postgres-cluster-3");
        assertThat(query(ports.get(1), "postgres", "SHOW synchronous_standby_names")).isEqualTo("ANY 1 (\"postgres-cluster-2\")");
        await().atMost(Duration.ofSeconds(10)).until(() -> "8MB".equals(query(ports.get(1), "postgres", "SHOW work_mem")));
        awaitStreaming(ports.get(1), 1);

        // tombstone: everything goes
        List<Long> pids = postmasterPids();
        assertThat(pids).hasSize(2);
        reconciler.delete(CLUSTER);
        assertThat(InstanceLayout.clusterDirectory(home, CLUSTER)).doesNotExist();
        assertThat(secrets.file(CLUSTER, "app")).doesNotExist();
        assertThat(secrets.file(CLUSTER, "superuser")).doesNotExist();
        assertThat(publisher.instances).isEmpty();
        assertThat(publisher.lastEvent("cluster.deleted")).isPresent();
        pids.forEach(pid -> assertThat(Postmaster.alive(pid)).as("postmaster %d", pid).isFalse());
        assertThat(postgresProcessesUnder(home)).isEmpty();
    }

    private Map<Integer, Integer> ports() {
        Map<Integer, Integer> ports = new HashMap<>();
        postgres.observe(CLUSTER).values().forEach(o -> ports.put(o.ordinal(), o.port()));
        return ports;
    }

    private List<Long> postmasterPids() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (int ordinal : postgres.ordinals(CLUSTER)) {
            Path pid = postgres.layout(CLUSTER, ordinal).pgdata().resolve("postmaster.pid");
            if (Files.exists(pid)) {
                pids.add(Long.parseLong(Files.readAllLines(pid).getFirst().trim()));
            }
        }
        return pids;
    }

    /** Processes whose command line mentions the test home (postmasters carry -D <pgdata>). */
    static List<String> postgresProcessesUnder(Path home) throws Exception {
        List<String> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (Postmaster.alive(Long.parseLong(p.getFileName().toString())) && cmd.contains(home.toString()) && cmd.contains("postgres")) {
                        found.add(p.getFileName() + ": " + cmd);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended while we looked
                }
            }
        }
        return found;
    }

    private void assertNoSecretOnDiskOutsideSecrets() throws Exception {
        List<String> passwords = List.of(secrets.superuser(CLUSTER).password(), secrets.app(CLUSTER, "app").password());
        Path clusterDir = InstanceLayout.clusterDirectory(home, CLUSTER);
        try (var files = Files.walk(clusterDir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".conf") || f.toString().endsWith(".log")
                    || f.toString().endsWith(".json")).toList()) {
                String text = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
                passwords.forEach(pw -> assertThat(text).as(f.toString()).doesNotContain(pw));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> readSecret(String kind) throws Exception {
        return Json.read(Files.readString(secrets.file(CLUSTER, kind)), Map.class);
    }

    private boolean inRecovery(int port) throws SQLException {
        return "t".equals(query(port, "postgres", "SELECT pg_is_in_recovery()"));
    }

    private void awaitStreaming(int primaryPort, int replicas) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = postgres.connect(new InstanceEndpoint("127.0.0.1", primaryPort), "postgres", secrets.superuser(CLUSTER)); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'")) {
                rs.next();
                return rs.getInt(1) == replicas;
            }
        });
    }

    private String query(int port, String database, String sql) throws SQLException {
        Credentials su = secrets.superuser(CLUSTER);
        return queryAs(port, database, su.username(), su.password(), sql);
    }

    private String queryAs(int port, String database, String user, String password, String sql) throws SQLException {
        try (Connection c = postgres.connect(new InstanceEndpoint("127.0.0.1", port), database, new Credentials(user, password)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
