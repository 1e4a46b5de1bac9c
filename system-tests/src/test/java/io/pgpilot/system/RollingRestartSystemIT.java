package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, rolling restarts: a parameter that needs a restart (shared_buffers) rolls through the
 * replicas one at a time and reaches the primary by a switchover, under a write load, losing no
 * acknowledged commit and leaving no instance with pending_restart; the status is not healthy
 * meanwhile. A user-requested restart (POST .../restart) restarts every instance the same way.
 * Hibernation (cnpg.io/hibernation: on) stops every instance keeping the data, without a failover,
 * and waking up starts the same primary again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingRestartSystemIT {

    static final String CLUSTER = "roll";
    static final Duration ROLLOUT = Duration.ofSeconds(300);
    static Path home;
    static String manifest;
    static LocalPlatform platform;
    static ClusterProbe probe;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-roll");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        manifest = Files.readString(Path.of("src/test/resources/roll-cluster.yaml"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(manifest, CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
        probe.awaitHealthy(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void aSharedBuffersChangeRollsOutUnderLoadWithoutLosingACommit() throws Exception {
        String table = "load_roll";
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), table);
        AckedWriter writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), table, 4).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.ackCount() > 50);
            String primary = probe.currentPrimary();
            assertThat(platform.apply(manifest.replace("\"32MB\"", "\"48MB\""), CLUSTER)).isEqualTo(200);
            // the status leaves "healthy" while the change waits for restarts
            await().atMost(Duration.ofSeconds(60)).until(() -> platform.status(CLUSTER).get("pendingRestart") != null
                    || allRunWith("48MB"));
            await().atMost(ROLLOUT).ignoreExceptions().until(() -> allRunWith("48MB") && probe.healthy());
            long before = writer.ackCount();
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.ackCount() > before + 50);
            assertThat(probe.currentPrimary()).as("the primary was updated by a switchover").isNotEqualTo(primary);
        } finally {
            writer.stop();
        }
        List<Long> acked = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        assertThat(probe.countPresent(table, acked)).as("acknowledged commits present after the rollout").isEqualTo(acked.size());
        assertThat(platform.status(CLUSTER).get("pendingRestart")).isNull();
        assertThat(probe.writablePrimaries()).containsExactly(probe.currentPrimary());
        System.out.printf("rolling restart: %d commits acknowledged, all present; %d client errors%n", acked.size(), writer.errors());
    }

    @Test
    @Order(2)
    void aRequestedRestartRestartsEveryInstance() throws Exception {
        Instant requested = Instant.now();
        var response = platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/restart", null);
        assertThat(response.statusCode()).isEqualTo(202);
        await().atMost(ROLLOUT).ignoreExceptions().until(() -> startTimes().values().stream().allMatch(t -> t.isAfter(requested))
                && probe.healthy());
        assertThat(probe.writablePrimaries()).containsExactly(probe.currentPrimary());
        assertThat(platform.send("POST", "/api/v1/clusters/nosuch/restart", null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void hibernationStopsEveryInstanceKeepingDataAndWakesUpToTheSamePrimary() throws Exception {
        probe.awaitHealthy(ROLLOUT);
        String primary = probe.currentPrimary();
        Object epoch = platform.status(CLUSTER).get("topologyEpoch");
        Object timeline = platform.status(CLUSTER).get("timeline");
        String table = "kept_over_hibernation";
        try (Connection c = probe.superuser(primary)) {
            c.createStatement().execute("create table " + table + " as select generate_series(1, 1000) as id");
        }
        String current = manifest.replace("\"32MB\"", "\"48MB\"");
        String hibernated = current.replace("  name: roll\n", "  name: roll\n  annotations:\n    cnpg.io/hibernation: \"on\"\n");
        assertThat(platform.apply(hibernated, CLUSTER)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(120)).until(() -> "Cluster in hibernation".equals(platform.status(CLUSTER).get("phase")));
        for (int i = 1; i <= 3; i++) {
            assertThat(probe.dataDir(CLUSTER + "-" + i).resolve("postmaster.pid")).as("instance %d stopped", i).doesNotExist();
            assertThat(probe.dataDir(CLUSTER + "-" + i).resolve("PG_VERSION")).as("instance %d data kept", i).exists();
        }
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", "{}").statusCode())
                .as("no switchover while hibernated").isIn(202, 409);
        // nothing fails over a hibernated cluster: the topology stays as it was
        assertThat(platform.status(CLUSTER).get("topologyEpoch")).isEqualTo(epoch);

        assertThat(platform.apply(current, CLUSTER)).isEqualTo(200);
        probe.awaitHealthy(ROLLOUT);
        assertThat(probe.currentPrimary()).as("woken up to the same primary").isEqualTo(primary);
        // no promotion on the way: the same timeline (the replica set may be re-announced, a new epoch with the same primary)
        assertThat(platform.status(CLUSTER).get("timeline")).isEqualTo(timeline);
        try (Connection c = probe.superuser(primary); ResultSet rs = c.createStatement().executeQuery("select count(*) from " + table)) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
        }
        assertThat(probe.writablePrimaries()).containsExactly(primary);
    }

    /** Every instance runs with shared_buffers = {@code value} and none has a pending restart. */
    private static boolean allRunWith(String value) throws Exception {
        for (int i = 1; i <= 3; i++) {
            try (Connection c = probe.superuser(CLUSTER + "-" + i); ResultSet rs = c.createStatement().executeQuery(
                    "select current_setting('shared_buffers'), exists (select 1 from pg_settings where pending_restart)")) {
                rs.next();
                if (!value.equals(rs.getString(1)) || rs.getBoolean(2)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Map<String, Instant> startTimes() throws Exception {
        Map<String, Instant> times = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            try (Connection c = probe.superuser(CLUSTER + "-" + i);
                 ResultSet rs = c.createStatement().executeQuery("select pg_postmaster_start_time()")) {
                rs.next();
                times.put(CLUSTER + "-" + i, rs.getTimestamp(1).toInstant());
            }
        }
        return times;
    }
}
