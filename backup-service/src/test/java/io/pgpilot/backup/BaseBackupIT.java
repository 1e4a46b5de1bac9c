package io.pgpilot.backup;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.launcher.CephRgw;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base backups with real components: PostgreSQL archiving through the backup service into Ceph RGW
 * (object lock), pg_basebackup streamed into a multipart upload, backup.info in barman's format.
 * Debian's barman-cli-cloud reads what pgpilot wrote (barman-cloud-backup-list lists it,
 * barman-cloud-restore + barman-cloud-wal-restore bring up a server with every archived row), and
 * pgpilot reads what barman-cloud-backup wrote (recovery plan and plain tar stream).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BaseBackupIT {

    private static final String BUCKET = "homelab-backups";
    private static final String CLUSTER = "pc";
    private static Path tmp;
    private static KafkaBroker kafka;
    private static CephRgw rgw;
    private static ConfigurableApplicationContext app;
    private static TestPostgres pg;
    private static String url;
    private static TestTokens tokens;
    private static String backupId;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final OsUser POSTGRES = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);

    static final String STORE = """
                barmanObjectStore:
                  destinationPath: s3://homelab-backups/%s/
                  s3Credentials:
                    accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                    secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                  wal: {compression: gzip}
                  data: {compression: gzip}
            """;

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("base-backup-it");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        rgw = CephRgw.startFresh(tmp.resolve("rgw"));
        rgw.createBucket(BUCKET, true);
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secrets = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(secrets.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"" + rgw.accessKey() + "\",\"SECRET_ACCESS_KEY\":\""
                + rgw.secretKey() + "\"}");
        // the provisioner's secrets (the test server trusts loopback: the passwords are not checked)
        Files.writeString(secrets.resolve(CLUSTER + "-superuser.json"), "{\"username\":\"postgres\",\"password\":\"unused-1\"}");
        Files.writeString(secrets.resolve(CLUSTER + "-replication.json"), "{\"username\":\"streaming_replica\",\"password\":\"unused-2\"}");
        tokens = new TestTokens(home);
        int port = FreePorts.next();
        url = "http://127.0.0.1:" + port;
        app = SpringApplication.run(BackupServiceApplication.class, "--server.port=" + port,
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                "--pgpilot.backup.default-endpoint-url=" + rgw.endpointUrl(), "--pgpilot.backup.base.progress-interval=200ms",
                "--spring.main.banner-mode=off");
        tokens.writeCurlConfig(tmp.resolve("pg"), CLUSTER);
        pg = TestPostgres.start(tmp.resolve("pg"), "pg", List.of(
                "archive_mode = on",
                "archive_command = 'curl -K ../backup-service.curl -sS -f --max-time 120 -H \"Content-Type: application/octet-stream\" -T \"%p\" " + url
                        + "/wal/" + CLUSTER + "/%f'"));
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE streaming_replica WITH LOGIN REPLICATION");
            st.execute("CREATE TABLE t (x int, phase text)");
            st.execute("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 50000) g");
        }
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, CLUSTER, spec(CLUSTER, "  backup:\n    retentionPolicy: \"1d\"\n" + STORE.formatted("it"), ""));
            bus.publish(Topics.SPECS, "from-barman", spec("from-barman", "  bootstrap:\n    recovery: {source: origin}\n"
                    + "  externalClusters:\n    - name: origin\n  " + STORE.formatted("barman").replace("\n    ", "\n      "), ""));
            bus.publish(Topics.SPECS, "too-early", spec("too-early", "  bootstrap:\n    recovery:\n      source: pc\n"
                    + "      recoveryTarget: {targetTime: \"2001-01-01T00:00:00Z\"}\n"
                    + "  externalClusters:\n    - name: pc\n  " + STORE.formatted("it").replace("\n    ", "\n      "), ""));
            bus.publish(Topics.TOPOLOGY, CLUSTER, new Topology(CLUSTER, 1, "pc-1", List.of(), List.of(), 1, Instant.now(), "it"));
            bus.publish(Topics.INSTANCES, Topics.instanceKey(CLUSTER, "pc-1"), new InstanceRecord(CLUSTER, "pc-1", 1, "127.0.0.1",
                    pg.port(), pg.dataDir().toString(), InstanceRecord.Phase.RUNNING, Instant.now(), "primary"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/plans").body().contains("\"" + CLUSTER + "\""));
    }

    static ClusterSpecRecord spec(String name, String spec, String ignored) {
        return new ClusterSpecRecord(ManifestParser.parse("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: " + name
                + "}\nspec:\n  instances: 1\n" + spec), 1, Instant.now());
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
        if (app != null) app.close();
        if (rgw != null) rgw.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @Order(1)
    void anOnDemandBackupStreamsIntoTheBucketWithBarmansLayoutLockAndTheEndWalArchived() throws Exception {
        HttpResponse<String> started = post("/backups/" + CLUSTER);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        Map<?, ?> body = Json.read(started.body(), Map.class);
        backupId = (String) body.get("backupId");
        assertThat(backupId).matches("[0-9]{8}T[0-9]{6}");
        assertThat(body.get("status")).isEqualTo("running");
        assertThat(body.get("source")).isEqualTo("pc-1");
        assertThat(post("/backups/" + CLUSTER).statusCode()).as("one at a time").isIn(409, 202);

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).until(() -> !"running".equals(status(backupId).get("status")));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<?, ?> done = status(backupId);
        assertThat(done.get("status")).as(done.toString()).isEqualTo("completed");
        assertThat(((Number) done.get("bytes")).longValue()).isGreaterThan(20_000_000L);
        assertThat(((Number) done.get("storedBytes")).longValue()).isBetween(1L, ((Number) done.get("bytes")).longValue() / 2);
        assertThat((String) done.get("beginLsn")).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat((String) done.get("endWal")).matches("[0-9A-F]{24}");
        System.out.printf("base backup %s: %d bytes (%d stored) in %.1f s%n", backupId, ((Number) done.get("bytes")).longValue(),
                ((Number) done.get("storedBytes")).longValue(), seconds);

        String base = "it/" + CLUSTER + "/base/" + backupId + "/";
        try (S3Client s3 = rgw.client()) {
            var data = s3.headObject(b -> b.bucket(BUCKET).key(base + "data.tar.gz"));
            assertThat(data.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
            assertThat(data.objectLockRetainUntilDate()).isAfter(Instant.now().plus(Duration.ofHours(23)));
            String info = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(base + "backup.info")).asUtf8String();
            assertThat(info).contains("status=DONE\n", "begin_wal=" + done.get("beginWal") + "\n", "end_wal=" + done.get("endWal") + "\n",
                    "version=15", "timeline=1\n");
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key(base + "backup.info")).objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
            String endWal = (String) done.get("endWal");
            assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("it/" + CLUSTER + "/wals/" + endWal.substring(0, 16) + "/" + endWal))
                    .contents()).as("the end WAL is archived before the backup is DONE").isNotEmpty();
        }
        HttpResponse<String> list = get("/backups/" + CLUSTER);
        assertThat(list.body()).contains(backupId);
        assertThat(get("/backups/" + CLUSTER + "/..%2F..%2Fetc").statusCode()).isEqualTo(400);
        assertThat(get("/backups/" + CLUSTER + "/20000101T000000").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void barmanCloudListsAndRestoresWhatPgpilotWrote() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO t SELECT g, 'after' FROM generate_series(1, 1000) g");
            st.execute("SELECT pg_switch_wal()");
        }
        String segment = currentSegmentBefore();
        await().atMost(Duration.ofSeconds(60)).until(() -> archived(segment));

        String listing = barman(List.of("barman-cloud-backup-list", "--cloud-provider", "aws-s3", "--endpoint-url", rgw.endpointUrl(),
                "s3://" + BUCKET + "/it", CLUSTER), null);
        assertThat(listing).contains(backupId);

        Path restored = tmp.resolve("barman-restored");
        barman(List.of("barman-cloud-restore", "--cloud-provider", "aws-s3", "--endpoint-url", rgw.endpointUrl(),
                "s3://" + BUCKET + "/it", CLUSTER, backupId, restored.toString()), null);
        assertThat(restored.resolve("PG_VERSION")).exists();
        assertThat(restored.resolve("backup_label")).exists();
        int port = FreePorts.next();
        Files.writeString(restored.resolve("recovery.signal"), "");
        Files.writeString(restored.resolve("postgresql.auto.conf"), "archive_mode = off\nrestore_command = 'barman-cloud-wal-restore "
                + "--cloud-provider aws-s3 --endpoint-url " + rgw.endpointUrl() + " s3://" + BUCKET + "/it " + CLUSTER + " %f %p'\n");
        chownPostgres(restored);
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", rgw.accessKey(), "AWS_SECRET_ACCESS_KEY", rgw.secretKey(),
                "AWS_DEFAULT_REGION", CephRgw.REGION);
        run(POSTGRES.wrap(List.of(PostgresBinaries.detect().tool("pg_ctl"), "-D", restored.toString(), "-w", "-t", "120", "-l",
                restored.resolve("server.log").toString(), "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                        + restored + " -c fsync=off", "start")), env);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE phase = 'before'), count(*) FILTER (WHERE phase = 'after') FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(50000);
                assertThat(rs.getLong(2)).as("rows after the backup come from the WAL barman-cloud-wal-restore fetched").isEqualTo(1000);
            }
        } finally {
            run(POSTGRES.wrap(List.of(PostgresBinaries.detect().tool("pg_ctl"), "-D", restored.toString(), "-m", "immediate", "-w", "stop")),
                    Map.of());
        }
    }

    @Test
    @Order(3)
    void pgpilotReadsABackupWrittenByBarmanCloudBackup() throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", rgw.accessKey(), "AWS_SECRET_ACCESS_KEY", rgw.secretKey(),
                "AWS_DEFAULT_REGION", CephRgw.REGION);
        barman(POSTGRES.wrap(List.of("barman-cloud-backup", "--cloud-provider", "aws-s3", "--endpoint-url", rgw.endpointUrl(), "-z",
                "-h", pg.dataDir().toString(), "-p", String.valueOf(pg.port()), "-U", "postgres", "s3://" + BUCKET + "/barman", "origin")), env);
        HttpResponse<String> plan = get("/recovery/from-barman");
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
        Map<?, ?> chosen = Json.read(plan.body(), Map.class);
        String id = (String) chosen.get("backupId");
        try (S3Client s3 = rgw.client()) {
            System.out.println("barman-cloud-backup's backup.info:\n" + s3.getObjectAsBytes(b -> b.bucket(BUCKET)
                    .key("barman/origin/base/" + id + "/backup.info")).asUtf8String());
        }
        String dataPath = "/recovery/from-barman/backups/" + id + "/data";
        HttpResponse<java.io.InputStream> data = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + dataPath)), dataPath)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(data.statusCode()).isEqualTo(200);
        Path extracted = tmp.resolve("from-barman");
        Files.createDirectories(extracted);
        Process tar = new ProcessBuilder("tar", "-x", "-C", extracted.toString()).redirectErrorStream(true).start();
        try (var in = data.body(); var out = tar.getOutputStream()) {
            in.transferTo(out);
        }
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(extracted.resolve("PG_VERSION")).exists();
        assertThat(extracted.resolve("backup_label")).exists();
        assertThat(extracted.resolve("global/pg_control")).exists();

        HttpResponse<String> early = get("/recovery/too-early");
        assertThat(early.statusCode()).isEqualTo(422);
        assertThat(early.body()).contains("no base backup ends before the target time 2001-01-01T00:00:00Z");
    }

    @Test
    @Order(4)
    void retentionDeletesNothingInsideTheWindow() throws Exception {
        HttpResponse<String> result = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + "/retention/" + CLUSTER)), "/retention")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
        Map<?, ?> applied = Json.read(result.body(), Map.class);
        assertThat(applied.get("backupsDeleted")).isEqualTo(0);
        assertThat(applied.get("walDeleted")).isEqualTo(0);
        assertThat(get("/backups/" + CLUSTER).body()).contains(backupId);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String currentSegmentBefore() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn() - 1)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean archived(String segment) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_wal, '') >= '" + segment + "' FROM pg_stat_archiver")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void chownPostgres(Path dir) throws Exception {
        run(List.of("chown", "-R", POSTGRES.name(), dir.toString()), Map.of());
        run(List.of("chmod", "700", dir.toString()), Map.of());
    }

    private static String barman(List<String> command, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("AWS_ACCESS_KEY_ID", rgw.accessKey(), "AWS_SECRET_ACCESS_KEY", rgw.secretKey(),
                "AWS_DEFAULT_REGION", CephRgw.REGION));
        if (extraEnv != null) {
            env.putAll(extraEnv);
        }
        return run(command, env);
    }

    private static String run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).directory(tmp.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<?, ?> status(String id) throws Exception {
        return Json.read(get("/backups/" + CLUSTER + "/" + id).body(), Map.class);
    }
}
