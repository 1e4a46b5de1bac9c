package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.testkit.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base backups and point-in-time recovery on the whole platform with the local S3 store: a backup
 * taken on demand through the gateway (from the replica), rows written at known times after it
 * with their WAL archived, a restore into a NEW cluster to a time between two rows that has
 * exactly the rows before the target (and its replica, and the new cluster's own passwords), and
 * clear failures for a target before the first backup and a target the archive does not reach.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoverySystemIT {

    static Path home;
    static LocalPlatform platform;
    static ClusterProbe src;
    static final List<Instant> afterCommit = new ArrayList<>();

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-pitr");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(),
                LocalPlatform.ObjectStore.ephemeral());
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/pitr-cluster.yaml")), "src")).isEqualTo(201);
        platform.awaitHealthy("src", Duration.ofSeconds(180));
        src = new ClusterProbe(platform, home, "src");
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void restoreToATimeBetweenTwoRowsIntoANewClusterHasExactlyTheRowsBeforeIt() throws Exception {
        try (Connection c = app(src); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE events (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO events VALUES (1, 'before the backup')");
        }
        HttpResponse<String> started = platform.send("POST", "/api/v1/clusters/src/backups", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        Map<?, ?> backup = Json.read(started.body(), Map.class);
        String backupId = (String) backup.get("backupId");
        assertThat(backup.get("sourceRole")).as("taken from the healthy replica").isEqualTo("replica");
        await().atMost(Duration.ofSeconds(120)).until(() -> !"running".equals(backupStatus(backupId).get("status")));
        Map<?, ?> done = backupStatus(backupId);
        assertThat(done.get("status")).as(done.toString()).isEqualTo("completed");
        System.out.printf("backup %s: %s bytes, %s stored, %s MB/s%n", backupId, done.get("bytes"), done.get("storedBytes"), done.get("mbPerSecond"));

        // rows 2..6, each committed before the time noted after it
        for (int id = 2; id <= 6; id++) {
            try (Connection c = app(src); Statement st = c.createStatement()) {
                st.execute("INSERT INTO events VALUES (" + id + ", 'after the backup')");
                try (ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
                    rs.next();
                    afterCommit.add(rs.getTimestamp(1).toInstant());
                }
            }
        }
        String last = switchWal();
        await().atMost(Duration.ofSeconds(60)).until(() -> archived(last));

        Instant target = afterCommit.get(1); // after row 3, before row 4
        HttpResponse<String> restore = platform.send("POST", "/api/v1/clusters/src/restore",
                "{\"cluster\": \"dst\", \"targetTime\": \"" + target + "\"}");
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(201);
        long t0 = System.nanoTime();
        platform.awaitHealthy("dst", Duration.ofSeconds(240));
        System.out.printf("restore to %s: healthy with 2 instances after %.1f s%n", target, (System.nanoTime() - t0) / 1e9);
        ClusterProbe dst = new ClusterProbe(platform, home, "dst");
        try (Connection c = app(dst); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT array_agg(id ORDER BY id)::text FROM events")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("{1,2,3}");
        }
        // the new cluster's own credentials work and it accepts writes
        try (Connection c = app(dst); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events VALUES (100, 'written after the restore')");
        }
    }

    @Test
    @Order(2)
    void aTargetBeforeTheFirstBackupFailsClearlyWithNothingRunning() throws Exception {
        HttpResponse<String> restore = platform.send("POST", "/api/v1/clusters/src/restore",
                "{\"cluster\": \"early\", \"targetTime\": \"2001-01-01T00:00:00Z\"}");
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> "Failed".equals(platform.status("early").get("phase")));
        String status = Json.write(platform.status("early"));
        assertThat(status).contains("NO_BACKUP", "no base backup ends before the target time 2001-01-01T00:00:00Z");
        assertThat(home.resolve("clusters/early/early-1/pgdata/PG_VERSION")).doesNotExist();
    }

    @Test
    @Order(3)
    void aTargetTheArchiveDoesNotReachFailsClearlyInsteadOfAPartialRestore() throws Exception {
        Instant future = Instant.now().plus(Duration.ofHours(1));
        HttpResponse<String> restore = platform.send("POST", "/api/v1/clusters/src/restore",
                "{\"cluster\": \"late\", \"targetTime\": \"" + future + "\"}");
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(120)).until(() -> "Failed".equals(platform.status("late").get("phase")));
        String status = Json.write(platform.status("late"));
        assertThat(status).contains("TARGET_NOT_REACHED", "recovery ended before configured recovery target was reached");
        assertThat(home.resolve("clusters/late/late-1/pgdata/PG_VERSION")).doesNotExist();
        HttpResponse<String> invalid = platform.send("POST", "/api/v1/clusters/src/restore",
                "{\"cluster\": \"bad\", \"backupID\": \"../../etc\"}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("backupID");
    }

    static Connection app(ClusterProbe probe) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + probe.rw() + "/app", "app", probe.secret("app", "password"));
    }

    static Map<?, ?> backupStatus(String id) {
        return Json.read(platform.send("GET", "/api/v1/clusters/src/backups/" + id, null).body(), Map.class);
    }

    static String switchWal() throws Exception {
        try (Connection c = src.superuser(src.currentPrimary()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean archived(String segment) throws Exception {
        try (Connection c = src.superuser(src.currentPrimary()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_wal, '') >= '" + segment + "' FROM pg_stat_archiver")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
