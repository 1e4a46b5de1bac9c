package io.pgpilot.system;

import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Continuous archiving with the whole platform and the reference manifest verbatim: the local S3
 * store has the bucket {@code homelab-backups} (object lock) and the secret {@code s3-creds}; the
 * primary archives into the barman-cloud layout; after a kill -9 failover the new primary goes on
 * on timeline 2 with no gap in the archive (every segment number is there on one timeline or the
 * other, and the timeline's .history file).
 */
class BackupSystemIT {

    static final String CLUSTER = "postgres-cluster";
    static final String WALS = "cnpg/postgres-cluster/wals/";
    static final Pattern SEGMENT = Pattern.compile(".*/([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\\.gz");
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-backup");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(),
                LocalPlatform.ObjectStore.ephemeral());
        assertThat(Files.getPosixFilePermissions(home.resolve("secrets/s3-creds.json"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(platform.apply(Files.readString(Path.of("../examples/postgres-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    /**
     * Each test starts from a healthy cluster: after the failover test the old primary is still
     * rewinding and restarting for a while, and a test that lists what listens (CI: instance 1's
     * port not listening yet) or archives must not see that as its own failure.
     */
    @BeforeEach
    void healthyCluster() {
        probe.awaitHealthy(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void archivingFollowsAFailoverWithNoGap() throws Exception {
        String old = probe.currentPrimary();
        String first = switchWal(old);
        await().atMost(Duration.ofSeconds(60)).until(() -> keys().stream().anyMatch(k -> k.endsWith("/" + first + ".gz")));

        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            String now = probe.currentPrimary();
            return now != null && !now.equals(old) && probe.writablePrimaries().equals(List.of(now));
        });
        String fresh = probe.currentPrimary();
        String onTimeline2 = switchWal(fresh);
        assertThat(onTimeline2).startsWith("00000002");
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<String> keys = keys();
            return keys.contains(WALS + "00000002.history.gz") && keys.stream().anyMatch(k -> k.endsWith("/" + onTimeline2 + ".gz"));
        });

        // no gap: every segment number from the first archived to the newest is on timeline 1 or 2
        Set<Long> numbers = new TreeSet<>();
        for (String key : keys()) {
            Matcher m = SEGMENT.matcher(key);
            if (m.matches()) {
                numbers.add(Long.parseLong(m.group(2), 16) * 256 + Long.parseLong(m.group(3), 16));
            }
        }
        long low = numbers.stream().min(Long::compare).orElseThrow();
        long high = Long.parseLong(onTimeline2.substring(8, 16), 16) * 256 + Long.parseLong(onTimeline2.substring(16), 16);
        for (long n = low; n <= high; n++) {
            assertThat(numbers).as("segment %d archived on some timeline (archive: %s)", n, keys()).contains(n);
        }
        System.out.printf("archive after failover: %d segments, %s%n", numbers.size(), keys());
    }

    /**
     * CloudNativePG's Backup and ScheduledBackup manifests through the API: an immediate scheduled
     * backup completes and is listed as a Backup object of its schedule; an on-demand Backup
     * completes; wrong manifests are refused naming the field; deleting the self-owned schedule
     * removes its Backup objects, not the on-demand one.
     */
    @Test
    void cloudNativePgsBackupAndScheduledBackupManifests() throws Exception {
        var created = platform.send("POST", "/api/v1/scheduledbackups", """
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata:
                  name: nightly
                spec:
                  schedule: "0 0 0 * * *"
                  immediate: true
                  backupOwnerReference: self
                  cluster:
                    name: postgres-cluster
                """);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).contains("\"nextScheduleTime\"");
        await().atMost(Duration.ofSeconds(180)).until(() -> {
            var list = platform.send("GET", "/api/v1/backups", null).body();
            return list.matches("(?s).*\"name\":\"nightly-\\d{14}\".*\"phase\":\"completed\".*");
        });
        var schedule = platform.send("GET", "/api/v1/scheduledbackups/nightly", null);
        assertThat(schedule.body()).containsPattern("\"lastBackup\":\"nightly-\\d{14}\"");

        var refused = platform.send("POST", "/api/v1/backups", """
                apiVersion: postgresql.cnpg.io/v1
                kind: Backup
                metadata:
                  name: snapshot
                spec:
                  method: volumeSnapshot
                  cluster:
                    name: no-such-cluster
                """);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("spec.method");

        await().atMost(Duration.ofSeconds(120)).until(() -> platform.send("POST", "/api/v1/backups", """
                apiVersion: postgresql.cnpg.io/v1
                kind: Backup
                metadata:
                  name: before-upgrade
                spec:
                  target: primary
                  cluster:
                    name: postgres-cluster
                """).statusCode() == 201); // 409 while another base backup of the cluster still runs
        await().atMost(Duration.ofSeconds(180)).until(() -> platform.send("GET", "/api/v1/backups/before-upgrade", null).body()
                .contains("\"phase\":\"completed\""));

        var deleted = platform.send("DELETE", "/api/v1/scheduledbackups/nightly", null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).containsPattern("\"removedBackups\":\\[\"nightly-\\d{14}\"");
        var remaining = platform.send("GET", "/api/v1/backups", null).body();
        assertThat(remaining).contains("before-upgrade").doesNotContain("nightly-");
    }

    /**
     * Issue 10, secrets and exposure, while archiving runs (archive_command invocations included):
     * no secret value the platform holds (passwords, service and cluster tokens, S3 keys) is ever
     * in a process's command line ({@code ps -eo args}, sampled throughout), in any log (services,
     * PostgreSQL, HAProxy, Kafka's segment files, i.e. every event and spec), and every service,
     * Kafka and every instance listens on loopback only.
     */
    @Test
    void secretsStayOffCommandLinesLogsAndEventsAndEverythingListensOnLoopback() throws Exception {
        Set<String> commandLines = new java.util.HashSet<>(ps());
        for (int i = 0; i < 3; i++) {
            String segment = switchWal(probe.currentPrimary());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                commandLines.addAll(ps());
                return keys().stream().anyMatch(k -> k.endsWith("/" + segment + ".gz"));
            });
        }
        assertThat(commandLines).as("curl ran as archive_command").anyMatch(l -> l.contains("curl -K ../backup-service.curl"));

        // the gateway forwards to the backup service with the internal service token
        var listed = platform.send("GET", "/api/v1/clusters/" + CLUSTER + "/backups", null);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        Map<String, String> secrets = secretValues();
        assertThat(secrets.keySet()).as("every kind of secret is checked").anyMatch(k -> k.endsWith("-wal-token.json:token"))
                .anyMatch(k -> k.startsWith("pgpilot-internal-token")).anyMatch(k -> k.endsWith("-superuser.json:password"))
                .anyMatch(k -> k.startsWith("s3-creds.json:SECRET_ACCESS_KEY"));
        for (var secret : secrets.entrySet()) {
            assertThat(commandLines).as("command lines holding " + secret.getKey()).noneMatch(l -> l.contains(secret.getValue()));
        }
        List<Path> logs;
        try (var files = Files.walk(home)) {
            logs = files.filter(Files::isRegularFile).filter(p -> !p.startsWith(home.resolve("secrets")))
                    .filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out") || p.toString().endsWith(".err")).toList();
        }
        assertThat(logs).as("service, PostgreSQL and Kafka logs").anyMatch(p -> p.toString().contains("kafka"))
                .anyMatch(p -> p.getFileName().toString().startsWith("postgresql-"));
        for (Path log : logs) {
            String text = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (var secret : secrets.entrySet()) {
                assertThat(text.contains(secret.getValue())).as(log + " holds " + secret.getKey()).isFalse();
            }
        }
        // the files beside the data directories that hold a secret are private
        try (var files = Files.walk(home.resolve("clusters"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("backup-service.curl")
                    || f.getFileName().toString().equals("replication.pgpass")).toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
            }
        }

        var s = platform.settings();
        Set<Integer> ports = new TreeSet<>(List.of(s.gatewayPort(), s.provisionerPort(), s.healthMonitorPort(), s.failoverPort(),
                s.backupPort(), s.servicesPort(), s.kafkaPort(), s.kafkaControllerPort()));
        try (var files = Files.walk(home.resolve("clusters"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("instance.json")).toList()) {
                ports.add(((Number) io.pgpilot.events.Json.read(Files.readString(p), java.util.Map.class).get("port")).intValue());
            }
        }
        List<String> listening = new String(new ProcessBuilder("ss", "-ltnH").redirectErrorStream(true).start().getInputStream()
                .readAllBytes()).lines().toList();
        for (int port : ports) {
            List<String> addresses = listening.stream().map(l -> l.trim().split("\\s+")).filter(f -> f.length > 3)
                    .map(f -> f[3]).filter(a -> a.endsWith(":" + port)).toList();
            assertThat(addresses).as("listening on port " + port).isNotEmpty()
                    .allMatch(a -> a.equals("127.0.0.1:" + port) || a.equals("[::ffff:127.0.0.1]:" + port));
        }
    }

    /** Every value under secrets/ worth hiding, keyed {@code file:key}. */
    static Map<String, String> secretValues() throws Exception {
        Map<String, String> values = new java.util.TreeMap<>();
        try (var files = Files.list(home.resolve("secrets"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                Map<?, ?> secret = io.pgpilot.events.Json.read(Files.readString(f), Map.class);
                for (String key : List.of("password", "token", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "ENCRYPTION_KEY")) {
                    if (secret.get(key) instanceof String v && v.length() >= 8) {
                        values.put(f.getFileName() + ":" + key, v);
                    }
                }
            }
        }
        return values;
    }

    static List<String> ps() throws Exception {
        Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
        return new String(ps.getInputStream().readAllBytes()).lines().toList();
    }

    static String switchWal(String instance) throws Exception {
        try (Connection c = probe.superuser(instance); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            st.execute("CREATE TABLE IF NOT EXISTS archived (x int)");
            st.execute("INSERT INTO archived SELECT generate_series(1, 1000)");
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static List<String> keys() {
        try (S3Client s3 = platform.objectStore().client()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(LocalPlatform.ObjectStore.REFERENCE_BUCKET).prefix(WALS)).contents().stream()
                    .map(S3Object::key).toList();
        }
    }
}
