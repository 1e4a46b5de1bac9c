package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

    /**
     * pgpilot restores what barman-cloud wrote, end to end: Debian's barman-cloud-backup (gzip)
     * backs up the running primary of {@code src} into {@code barman/legacy}, the WAL it needs
     * (copies of the segments, fetched from pgpilot's own archive of {@code src}) goes there with
     * barman-cloud-wal-archive (gzip), and a NEW cluster POSTed as a manifest with
     * {@code bootstrap.recovery} + {@code externalClusters} pointing at barman's prefix and server
     * name becomes healthy with exactly the rows written before and after the backup.
     */
    @Test
    @Order(4)
    void aNewClusterRecoversFromWhatBarmanCloudBackupAndWalArchiveWrote() throws Exception {
        try (Connection c = app(src); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE legacy (id int PRIMARY KEY, phase text)");
            st.execute("INSERT INTO legacy SELECT g, 'before barman-cloud-backup' FROM generate_series(1, 100) g");
        }
        String primary = src.currentPrimary();
        Path pgdata = src.dataDir(primary);
        String osUser = Files.getOwner(pgdata).getName();
        Path work = Files.createTempDirectory("barman-e2e");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", platform.objectStore().accessKey(),
                "AWS_SECRET_ACCESS_KEY", platform.objectStore().secretKey(), "AWS_DEFAULT_REGION", "us-east-1",
                "PGPASSWORD", src.secret("superuser", "password"));
        String endpoint = platform.objectStore().endpointUrl();
        long t0 = System.nanoTime();
        run(work, env, "runuser", "-u", osUser, "--", "barman-cloud-backup", "--cloud-provider", "aws-s3", "--endpoint-url", endpoint,
                "--gzip", "-h", "127.0.0.1", "-p", String.valueOf(src.port(primary)), "-U", "postgres", "-d", "postgres",
                "s3://homelab-backups/barman/", "legacy");
        System.out.printf("barman-cloud-backup: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String beginWal;
        try (var s3 = platform.objectStore().client()) {
            List<String> infos = s3.listObjectsV2Paginator(b -> b.bucket("homelab-backups").prefix("barman/legacy/base/")).contents()
                    .stream().map(o -> o.key()).filter(k -> k.endsWith("/backup.info")).toList();
            assertThat(infos).hasSize(1);
            String info = s3.getObjectAsBytes(b -> b.bucket("homelab-backups").key(infos.getFirst())).asUtf8String();
            assertThat(info).contains("status=DONE");
            beginWal = info.lines().filter(l -> l.startsWith("begin_wal=")).findFirst().orElseThrow().substring("begin_wal=".length());
        }
        try (Connection c = app(src); Statement st = c.createStatement()) {
            st.execute("INSERT INTO legacy SELECT g, 'after barman-cloud-backup' FROM generate_series(101, 200) g");
        }
        String last = switchWal();
        await().atMost(Duration.ofSeconds(60)).until(() -> archived(last));

        // every segment from the backup's begin WAL to the last switched one, as barman-cloud-wal-archive would get it from pg_wal
        HttpClient http = HttpClient.newHttpClient();
        String backupService = "http://127.0.0.1:" + platform.settings().backupPort();
        int archivedByBarman = 0;
        for (String segment = beginWal; segment.compareTo(last) <= 0; segment = next(segment)) {
            Path copy = work.resolve(segment);
            HttpResponse<Path> got = http.send(HttpRequest.newBuilder(URI.create(backupService + "/wal/src/" + segment))
                            .header("Authorization", "Bearer " + new io.pgpilot.support.security.ServiceTokens(home).cluster("src")).build(),
                    HttpResponse.BodyHandlers.ofFile(copy));
            assertThat(got.statusCode()).as(segment).isEqualTo(200);
            assertThat(Files.size(copy)).isEqualTo(16L * 1024 * 1024);
            run(work, env, "barman-cloud-wal-archive", "--cloud-provider", "aws-s3", "--endpoint-url", endpoint, "--gzip",
                    "s3://homelab-backups/barman/", "legacy", copy.toString());
            Files.delete(copy);
            archivedByBarman++;
        }
        System.out.printf("barman-cloud-wal-archive: %d segments %s..%s%n", archivedByBarman, beginWal, last);

        String manifest = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: from-barman
                spec:
                  instances: 1
                  postgresql:
                    parameters:
                      shared_buffers: "32MB"
                      max_connections: "50"
                  bootstrap:
                    recovery:
                      source: legacy
                  externalClusters:
                    - name: legacy
                      barmanObjectStore:
                        destinationPath: s3://homelab-backups/barman/
                        serverName: legacy
                        s3Credentials:
                          accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                          secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                        wal: {compression: gzip}
                """;
        HttpResponse<String> created = platform.send("POST", "/api/v1/clusters", manifest);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long r0 = System.nanoTime();
        platform.awaitHealthy("from-barman", Duration.ofSeconds(240));
        System.out.printf("cluster recovered from barman-cloud's backup: healthy after %.1f s%n", (System.nanoTime() - r0) / 1e9);
        ClusterProbe restored = new ClusterProbe(platform, home, "from-barman");
        // "healthy" can come a moment before HAProxy's health check has marked the new primary up behind rw
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = app(restored)) {
                return c.isValid(2);
            }
        });
        try (Connection c = app(restored); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), min(id), max(id), sum(id), "
                     + "count(*) FILTER (WHERE phase = 'after barman-cloud-backup') FROM legacy")) {
            rs.next();
            assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)))
                    .as("rows 1..200, 100 of them written after the backup")
                    .containsExactly(200L, 200L, 1L, 200L, 20100L, 100L);
        }
        try (Connection c = app(restored); Statement st = c.createStatement()) {
            st.execute("INSERT INTO legacy VALUES (201, 'written after the restore')");
        }
        run(work, Map.of(), "rm", "-rf", work.toString());
    }

    /** The segment after {@code name} (16 MiB segments: 256 per log file). */
    static String next(String name) {
        long tli = Long.parseLong(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16) + 1;
        if (seg == 0x100) {
            seg = 0;
            log++;
        }
        return "%08X%08X%08X".formatted(tli, log, seg);
    }

    static void run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(command[0] + " ...: " + out).isZero();
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
