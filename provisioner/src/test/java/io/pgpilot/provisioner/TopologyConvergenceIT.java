package io.pgpilot.provisioner;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ClusterDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The provisioner converging real PostgreSQL 15 instances to topologies: failover after a kill -9
 * of the primary, switchover, fencing, crash handling and stale epochs. Topologies are applied
 * directly (no Kafka); events are recorded.
 */
class TopologyConvergenceIT {

    static final String CLUSTER = LocalClusterProvisioningIT.CLUSTER;
    static final Duration GRACE = Duration.ofSeconds(4);

    @TempDir
    Path tmp;

    LocalProcessBackend postgres;
    SecretStore secrets;
    RecordingPublisher publisher;
    ClusterReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        int basePort = ThreadLocalRandom.current().nextInt(20000, 40000);
        postgres = new LocalProcessBackend(PostgresBinaries.detect(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED), home, basePort);
        secrets = new SecretStore(home);
        publisher = new RecordingPublisher();
        reconciler = new ClusterReconciler(postgres, secrets, publisher,
                new HaSettings(Duration.ofMillis(500), GRACE, Duration.ofSeconds(15), Duration.ofSeconds(5)));
    }

    @AfterEach
    void tearDown() {
        reconciler.close();
    }

    static Topology topology(long epoch, int primary, List<Integer> replicas, List<Integer> fenced) {
        return new Topology(CLUSTER, epoch, name(primary), replicas.stream().map(TopologyConvergenceIT::name).toList(),
                fenced.stream().map(TopologyConvergenceIT::name).toList(), 0, Instant.now(), "test");
    }

    static String name(int ordinal) {
        return CLUSTER + "-" + ordinal;
    }

    @Test
    void failoverSwitchoverFencingCrashesAndStaleEpochs() throws Exception {
        try {
            scenario();
        } catch (Throwable e) {
            dumpLogs();
            throw e;
        }
    }

    private void scenario() throws Exception {
        ClusterDefinition desired = LocalClusterProvisioningIT.referenceManifest();
        reconciler.reconcile(desired);
        apply(topology(1, 1, List.of(2, 3), List.of()));
        reconciler.startPeriodicConvergence();
        int p1 = port(1);
        int p2 = port(2);
        int p3 = port(3);
        for (int ordinal = 1; ordinal <= 3; ordinal++) {
            String sync = query(port(ordinal), "SHOW synchronous_standby_names");
            assertThat(sync).as("instance %d lists the others", ordinal).contains("ANY 1").doesNotContain(name(ordinal));
            assertThat(query(port(ordinal), "SHOW wal_receiver_timeout")).isEqualTo("5s");
            assertThat(query(port(ordinal), "SHOW wal_sender_timeout")).isEqualTo("5s");
        }
        awaitStreaming(p1, name(2), name(3));

        // ---- failover: kill -9 the primary, the topology names 2 ---------------------------------
        execute(p1, "CREATE TABLE t (id int PRIMARY KEY, note text)");
        execute(p1, "INSERT INTO t SELECT g, 'before the crash' FROM generate_series(1, 100) g");
        String written = query(p1, "SELECT pg_current_wal_lsn()::text");
        for (int port : List.of(p2, p3)) {
            await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> "t".equals(query(port, "SELECT pg_last_wal_replay_lsn() >= '" + written + "'")));
        }
        long pid3 = pid(3);
        long killed = System.nanoTime();
        kill9(pid(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> !postgres.isRunning(layout(1)));
        reconciler.applyTopology(topology(2, 2, List.of(3, 1), List.of())).get(60, TimeUnit.SECONDS);
        System.out.println("FAILOVER_KILL_TO_CONVERGED_MS=" + (System.nanoTime() - killed) / 1_000_000);
        PlatformEvent promoted = event("instance.promoted", name(2));
        System.out.println("FAILOVER_PROMOTION_MS=" + promoted.data().get("durationMs") + " (pg_ctl promote "
                + promoted.data().get("promoteMs") + " ms)");
        assertThat(promoted.data()).containsEntry("epoch", 2L).containsEntry("timeline", 2);
        assertThat(query(p2, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(timelineOf(p2)).isEqualTo(2);
        // 3 streams from 2 without a restart
        awaitStreaming(p2, name(3), name(1));
        assertThat(pid(3)).isEqualTo(pid3);
        assertThat(query(p3, "SELECT sender_port FROM pg_stat_wal_receiver")).isEqualTo(String.valueOf(p2));
        assertThat(event("instance.repointed", name(3)).data()).containsEntry("upstream", name(2));
        // 1 is back, rewound, as a standby of 2 on timeline 2
        PlatformEvent rejoined = event("instance.rejoined", name(1));
        System.out.println("FAILOVER_REJOIN_MS=" + rejoined.data().get("durationMs") + " (" + rejoined.data().get("how") + ")");
        assertThat(publisher.lastEvent("instance.rewound").or(() -> publisher.lastEvent("instance.recloned"))).isPresent();
        assertThat(layout(1).pgdata().resolve("standby.signal")).exists();
        assertThat(query(p1, "SELECT sender_port FROM pg_stat_wal_receiver")).isEqualTo(String.valueOf(p2));
        // nothing acknowledged is lost, and only 2 takes writes
        assertThat(query(p2, "SELECT count(*) FROM t")).isEqualTo("100");
        execute(p2, "INSERT INTO t VALUES (101, 'after the failover')");
        assertReadOnly(p1);
        assertReadOnly(p3);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> "101".equals(query(p1, "SELECT count(*) FROM t")));
        assertOnTimeline(p1, p2, 2);

        // ---- switchover to 3 ------------------------------------------------------------------
        execute(p2, "INSERT INTO t SELECT g, 'just before the switchover' FROM generate_series(102, 151) g");
        long switched = System.nanoTime();
        reconciler.applyTopology(topology(3, 3, List.of(1, 2), List.of())).get(60, TimeUnit.SECONDS);
        System.out.println("SWITCHOVER_CONVERGED_MS=" + (System.nanoTime() - switched) / 1_000_000);
        PlatformEvent demoted = event("instance.demoted", name(2));
        PlatformEvent promoted3 = event("instance.promoted", name(3));
        System.out.println("SWITCHOVER_DEMOTE_MS=" + demoted.data().get("durationMs") + " SWITCHOVER_PROMOTION_MS="
                + promoted3.data().get("durationMs") + " (catch-up " + promoted3.data().get("catchUpMs") + " ms)");
        assertThat(promoted3.data()).containsEntry("timeline", 3);
        assertThat(query(p3, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(query(p3, "SELECT count(*) FROM t")).isEqualTo("151");
        PlatformEvent rejoined2 = event("instance.rejoined", name(2));
        System.out.println("SWITCHOVER_REJOIN_MS=" + rejoined2.data().get("durationMs") + " (" + rejoined2.data().get("how") + ")");
        assertThat(layout(2).pgdata().resolve("standby.signal")).exists();
        awaitStreaming(p3, name(1), name(2));
        assertReadOnly(p1);
        assertReadOnly(p2);
        execute(p3, "INSERT INTO t VALUES (152, 'after the switchover')");
        assertOnTimeline(p2, p3, 3);

        // ---- fencing --------------------------------------------------------------------------
        reconciler.applyTopology(topology(4, 3, List.of(2), List.of(1))).get(60, TimeUnit.SECONDS);
        assertThat(postgres.isRunning(layout(1))).isFalse();
        assertThat(event("instance.fenced", name(1))).isNotNull();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !postgres.isRunning(layout(1)));
        assertThat(publisher.instances.get(name(1)).message()).isEqualTo("fenced");
        reconciler.applyTopology(topology(5, 3, List.of(1, 2), List.of())).get(60, TimeUnit.SECONDS);
        assertThat(event("instance.unfenced", name(1))).isNotNull();
        awaitStreaming(p3, name(1), name(2));

        // ---- a crashed replica is restarted by the periodic pass --------------------------------
        long oldPid2 = pid(2);
        long crashed = System.nanoTime();
        kill9(oldPid2);
        await().atMost(Duration.ofSeconds(20)).until(() -> postgres.isRunning(layout(2)) && pid(2) != oldPid2);
        awaitStreaming(p3, name(1), name(2));
        System.out.println("REPLICA_CRASH_TO_STREAMING_MS=" + (System.nanoTime() - crashed) / 1_000_000);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(event("instance.restarted", name(2)).data()).containsEntry("role", "replica"));

        // ---- a crashed topology primary waits for the grace period ------------------------------
        long oldPid3 = pid(3);
        crashed = System.nanoTime();
        kill9(oldPid3);
        await().during(Duration.ofMillis(GRACE.toMillis() - 1000)).atMost(GRACE).until(() -> !postgres.isRunning(layout(3)));
        await().atMost(Duration.ofSeconds(20)).until(() -> postgres.isRunning(layout(3)));
        long restartMs = (System.nanoTime() - crashed) / 1_000_000;
        System.out.println("PRIMARY_CRASH_TO_RESTART_IN_PLACE_MS=" + restartMs + " (grace " + GRACE.toMillis() + " ms)");
        assertThat(restartMs).isGreaterThanOrEqualTo(GRACE.toMillis());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> "f".equals(query(p3, "SELECT pg_is_in_recovery()")));
        assertThat(query(p3, "SELECT count(*) FROM t")).isEqualTo("152");
        awaitStreaming(p3, name(1), name(2));

        // ---- a lower epoch is ignored -----------------------------------------------------------
        assertThat(reconciler.applyTopology(topology(2, 1, List.of(2, 3), List.of()))).isNull();
        assertThat(reconciler.applyTopology(topology(5, 1, List.of(2, 3), List.of()))).isNull();
        reconciler.converge(CLUSTER, "test");
        assertThat(reconciler.topology(CLUSTER).epoch()).isEqualTo(5);
        assertThat(query(p3, "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertReadOnly(p1);
        assertThat(publisher.events).noneMatch(e -> e.type().endsWith("instance.failed"));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void apply(Topology topology) throws Exception {
        reconciler.applyTopology(topology).get(60, TimeUnit.SECONDS);
    }

    private PlatformEvent event(String type, String instance) {
        return publisher.events.reversed().stream()
                .filter(e -> e.type().equals(PlatformEvent.PREFIX + type) && instance.equals(e.instance()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " event for " + instance + " in "
                        + publisher.events.stream().map(e -> e.type() + "/" + e.instance()).toList()));
    }

    private InstanceLayout layout(int ordinal) {
        return postgres.layout(CLUSTER, ordinal);
    }

    private int port(int ordinal) {
        return postgres.readMetadata(layout(ordinal)).port();
    }

    private long pid(int ordinal) {
        return Postmaster.pid(layout(ordinal));
    }

    private static void kill9(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    private int timelineOf(int port) throws SQLException {
        return Integer.parseInt(query(port, "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"));
    }

    /** A restartpoint on the standby after it replayed a checkpoint of the primary records the timeline it follows. */
    private void assertOnTimeline(int standbyPort, int primaryPort, int timeline) throws SQLException {
        execute(primaryPort, "CHECKPOINT");
        String lsn = query(primaryPort, "SELECT pg_current_wal_lsn()::text");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> "t".equals(query(standbyPort, "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'")));
        execute(standbyPort, "CHECKPOINT");
        System.out.println("standby on port " + standbyPort + ": wal receiver " + query(standbyPort,
                "SELECT status || ' received_tli=' || received_tli || ' sender_port=' || sender_port FROM pg_stat_wal_receiver"));
        assertThat(query(standbyPort, "SELECT timeline_id FROM pg_control_checkpoint()")).isEqualTo(String.valueOf(timeline));
    }

    private void assertReadOnly(int port) {
        assertThatThrownBy(() -> execute(port, "INSERT INTO t VALUES (-1, 'must fail')"))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }

    private void awaitStreaming(int primaryPort, String... standbys) {
        try {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(SQLException.class).until(() -> String.join(",", java.util.Arrays.stream(standbys).sorted().toList())
                    .equals(query(primaryPort, "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM pg_stat_replication "
                            + "WHERE state = 'streaming'")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dumpLogs();
            throw e;
        }
    }

    private void dumpLogs() {
        for (int ordinal = 1; ordinal <= 3; ordinal++) {
            try (var files = Files.list(layout(ordinal).logDirectory())) {
                for (Path f : files.toList()) {
                    List<String> lines = Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1);
                    System.out.println("==== " + f);
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
                }
            } catch (Exception ex) {
                System.out.println("no log for " + ordinal + ": " + ex);
            }
        }
    }

    private Credentials superuser() {
        return secrets.superuser(CLUSTER);
    }

    private void execute(int port, String sql) throws SQLException {
        try (Connection c = postgres.connect(new InstanceEndpoint("127.0.0.1", port), "postgres", superuser()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private String query(int port, String sql) throws SQLException {
        try (Connection c = postgres.connect(new InstanceEndpoint("127.0.0.1", port), "postgres", superuser()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @SuppressWarnings("unused")
    private static Map<String, Object> data(PlatformEvent e) {
        return e.data();
    }
}
