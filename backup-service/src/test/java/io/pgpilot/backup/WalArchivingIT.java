package io.pgpilot.backup;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Topics;
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
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The archive endpoint with real components: Ceph RGW (object lock enforced), Kafka (the spec the
 * backup plan comes from), the backup service application and PostgreSQL archiving through curl
 * exactly as the provisioner configures it; Debian's barman-cloud-wal-restore reads what pgpilot wrote.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalArchivingIT {

    private static final String BUCKET = "homelab-backups";
    private static final String CLUSTER = "postgres-cluster";
    private static final String ENCRYPTED = "enc-cluster";
    private static Path tmp;
    private static KafkaBroker kafka;
    private static CephRgw rgw;
    private static ConfigurableApplicationContext app;
    private static TestPostgres pg;
    private static String url;
    private static TestTokens tokens;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("wal-archiving-it");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        rgw = CephRgw.startFresh(tmp.resolve("rgw"));
        rgw.createBucket(BUCKET, true);
        Path home = tmp.resolve("home");
        Path secrets = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(secrets.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"" + rgw.accessKey() + "\",\"SECRET_ACCESS_KEY\":\""
                + rgw.secretKey() + "\"}");
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        Files.writeString(secrets.resolve("wal-key.json"), "{\"ENCRYPTION_KEY\":\"" + Base64.getEncoder().encodeToString(key) + "\"}");
        tokens = new TestTokens(home);
        int port = FreePorts.next();
        url = "http://127.0.0.1:" + port;
        app = SpringApplication.run(BackupServiceApplication.class, "--server.port=" + port,
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                "--pgpilot.backup.default-endpoint-url=" + rgw.endpointUrl(), "--spring.main.banner-mode=off");
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, CLUSTER, new ClusterSpecRecord(ManifestParser.parse(
                    Files.readString(Path.of("../examples/postgres-cluster.yaml"))), 1, Instant.now()));
            bus.publish(Topics.SPECS, ENCRYPTED, new ClusterSpecRecord(ManifestParser.parse("""
                    apiVersion: postgresql.cnpg.io/v1
                    kind: Cluster
                    metadata:
                      name: enc-cluster
                      annotations: {pgpilot.io/backup-encryption-secret: wal-key}
                    spec:
                      instances: 1
                      backup:
                        barmanObjectStore:
                          destinationPath: s3://homelab-backups/enc/
                          s3Credentials:
                            accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                            secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                          wal: {compression: zstd, encryption: AES256}
                        retentionPolicy: "1d"
                    """), 1, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/plans").body().contains(ENCRYPTED)
                && get("/plans").body().contains(CLUSTER));
        // PostgreSQL archives with the very commands the provisioner renders for this cluster
        tokens.writeCurlConfig(tmp.resolve("pg"), CLUSTER);
        pg = TestPostgres.start(tmp.resolve("pg"), "pg", List.of(
                "archive_mode = on",
                "archive_timeout = '60s'",
                "archive_command = 'curl -K ../backup-service.curl -sS -f --max-time 120 -H \"Content-Type: application/octet-stream\" -T \"%p\" " + url
                        + "/wal/" + CLUSTER + "/%f'"));
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
    void aForcedSegmentLandsGzippedUnderTheBarmanPathLockedAndReadableThroughGetAndBarmanCloud() throws Exception {
        String segment = switchWal();
        String key = "cnpg/postgres-cluster/wals/" + segment.substring(0, 16) + "/" + segment + ".gz";
        await().atMost(Duration.ofSeconds(30)).until(() -> archivedCount() >= 1 && segment.equals(lastArchived()));
        byte[] original = Files.readAllBytes(pg.dataDir().resolve("pg_wal").resolve(segment));
        try (S3Client s3 = rgw.client()) {
            byte[] object = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
            try (var in = new GZIPInputStream(new ByteArrayInputStream(object))) {
                assertThat(in.readAllBytes()).isEqualTo(original);
            }
            assertThat(object.length).isLessThan(original.length / 10);
            var head = s3.headObject(b -> b.bucket(BUCKET).key(key));
            assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
            assertThat(head.objectLockRetainUntilDate()).isBetween(Instant.now().plus(29, ChronoUnit.DAYS), Instant.now().plus(31, ChronoUnit.DAYS));
            assertThat(head.metadata()).containsEntry(WalArchive.META_SHA256, WalArchive.sha256(original));
            // the store refuses to delete the locked version, by anyone
            assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket(BUCKET).key(key).versionId(head.versionId())))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                    });
        }
        HttpResponse<byte[]> restored = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + "/wal/" + CLUSTER + "/" + segment)),
                "/wal/" + CLUSTER + "/x").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(restored.statusCode()).isEqualTo(200);
        assertThat(restored.body()).isEqualTo(original);
        assertThat(get("/wal/" + CLUSTER + "/00000001000000FF000000FF").statusCode()).isEqualTo(404);

        // Debian's barman-cloud-wal-restore reads what pgpilot wrote
        Path dest = tmp.resolve("barman-restored");
        ProcessBuilder barman = new ProcessBuilder("barman-cloud-wal-restore", "--cloud-provider", "aws-s3",
                "--endpoint-url", rgw.endpointUrl(), "s3://" + BUCKET + "/cnpg", CLUSTER, segment, dest.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("barman.out").toFile());
        barman.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", rgw.accessKey(), "AWS_SECRET_ACCESS_KEY", rgw.secretKey(),
                "AWS_DEFAULT_REGION", CephRgw.REGION));
        Process process = barman.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(tmp.resolve("barman.out"))).isZero();
        assertThat(Files.readAllBytes(dest)).isEqualTo(original);
    }

    @Test
    @Order(2)
    void invalidNamesAre400AndADifferentFileUnderAnArchivedNameIs409() throws Exception {
        for (String bad : List.of("..%2Fx", "00000001000000000000000G", "000000010000000000000001.gz", "x")) {
            assertThat(put("/wal/" + CLUSTER + "/" + bad, new byte[10]).statusCode()).as(bad).isEqualTo(400);
            assertThat(get("/wal/" + CLUSTER + "/" + bad).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(put("/wal/Bad_Cluster/000000010000000000000001", new byte[10]).statusCode()).isEqualTo(400);
        assertThat(put("/wal/no-such-cluster/000000010000000000000001", new byte[10]).statusCode()).isEqualTo(404);
        String name = "0000000100000000000000F0";
        assertThat(put("/wal/" + CLUSTER + "/" + name, "one".getBytes()).statusCode()).isEqualTo(201);
        assertThat(put("/wal/" + CLUSTER + "/" + name, "one".getBytes()).statusCode()).isEqualTo(200);
        HttpResponse<String> conflict = put("/wal/" + CLUSTER + "/" + name, "two".getBytes());
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.body()).contains("already archived");
        assertThat(get("/wal/" + CLUSTER + "/" + name).body()).isEqualTo("one");
        assertThat(put("/wal/" + CLUSTER + "/" + name, new byte[18 * 1024 * 1024]).statusCode()).isEqualTo(413);
    }

    @Test
    @Order(3)
    void clientSideEncryptedObjectsWithSseHoldNoPlaintext() throws Exception {
        String name = "000000010000000000000001";
        byte[] plain = "KNOWN-PLAINTEXT-MARKER ".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> stored = put("/wal/" + ENCRYPTED + "/" + name, plain);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
        String key = "enc/enc-cluster/wals/0000000100000000/" + name + ".zst" + BarmanLayout.ENCRYPTED_SUFFIX;
        try (S3Client s3 = rgw.client()) {
            var object = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
            byte[] bytes = object.asByteArray();
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("KNOWN-PLAINTEXT-MARKER");
            assertThat(bytes).isNotEqualTo(plain).startsWith('P', 'G', 'P', 'E');
            // SSE: the store accepted the AES256 request (Ceph RGW 16 does not echo the header back)
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).objectLockRetainUntilDate())
                    .isBefore(Instant.now().plus(2, ChronoUnit.DAYS));
        }
        HttpResponse<byte[]> back = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + "/wal/" + ENCRYPTED + "/" + name)),
                "/wal/" + ENCRYPTED + "/x").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(back.body()).isEqualTo(plain);
    }

    @Test
    @Order(4)
    void anUnreachableStoreFailsArchiveCommandKeepsTheWalAndArchivingCatchesUpAfterwards() throws Exception {
        long failedBefore = failedCount();
        rgw.stopGateway();
        String segment;
        try {
            segment = switchWal();
            await().atMost(Duration.ofSeconds(60)).until(() -> failedCount() > failedBefore);
            assertThat(Files.exists(pg.dataDir().resolve("pg_wal/archive_status/" + segment + ".ready"))).isTrue();
            assertThat(Files.exists(pg.dataDir().resolve("pg_wal/" + segment))).isTrue();
            assertThat(get("/archiving/" + CLUSTER).body()).contains("\"failing\":true");
        } finally {
            rgw.startGateway();
        }
        // a new segment wakes the archiver at once (it otherwise waits up to a minute after failures)
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            if (!Files.exists(pg.dataDir().resolve("pg_wal/archive_status/" + segment + ".done"))) {
                switchWal();
                return false;
            }
            return true;
        });
        try (S3Client s3 = rgw.client()) {
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("cnpg/postgres-cluster/wals/" + segment.substring(0, 16) + "/"
                    + segment + ".gz")).contentLength()).isPositive();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/archiving/" + CLUSTER).body().contains("\"failing\":false"));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String switchWal() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS t (x int)");
            st.execute("INSERT INTO t SELECT generate_series(1, 1000)");
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static long archivedCount() throws Exception {
        return archiver("archived_count");
    }

    private static long failedCount() throws Exception {
        return archiver("failed_count");
    }

    private static String lastArchived() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_archived_wal FROM pg_stat_archiver")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long archiver(String column) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + column + " FROM pg_stat_archiver")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Regression (issue 10): the backup service accepted WAL from anyone and served any cluster's
     * WAL and data to anyone. Now: no token 401, a wrong token or another cluster's token 403.
     */
    @Test
    @Order(9)
    void onlyTheClustersOwnTokenOpensItsWalAndOnlyTheServiceTokenTheRest() throws Exception {
        String wal = "/wal/" + CLUSTER + "/00000001000000AA00000001";
        String other = tokens.tokens().cluster(ENCRYPTED);
        String own = tokens.tokens().cluster(CLUSTER);
        String internal = tokens.tokens().internal();
        assertThat(raw("PUT", wal, null).statusCode()).isEqualTo(401);
        assertThat(raw("GET", wal, null).statusCode()).isEqualTo(401);
        assertThat(raw("GET", wal, null).headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(raw("PUT", wal, "Bearer " + other).statusCode()).as("cluster A's token on cluster B").isEqualTo(403);
        assertThat(raw("GET", wal, "Bearer " + other).statusCode()).isEqualTo(403);
        assertThat(raw("GET", wal, "Bearer " + internal).statusCode()).as("the service token is not a cluster's").isEqualTo(403);
        assertThat(raw("GET", wal, "Bearer not-a-token").statusCode()).isEqualTo(403);
        assertThat(raw("GET", wal, "Basic " + own).statusCode()).isEqualTo(401);
        assertThat(raw("GET", wal, "Bearer " + own).statusCode()).isEqualTo(404);
        assertThat(raw("GET", "/recovery/" + CLUSTER, null).statusCode()).isEqualTo(401);
        assertThat(raw("GET", "/recovery/" + CLUSTER + "/backups/20260101T000000/data", "Bearer " + other).statusCode()).isEqualTo(403);
        for (String path : new String[] {"/plans", "/archiving", "/schedules", "/backups/" + CLUSTER}) {
            assertThat(raw("GET", path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(raw("GET", path, "Bearer " + own).statusCode()).as(path + " with a cluster token").isEqualTo(403);
            assertThat(raw("GET", path, "Bearer " + internal).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(raw("POST", "/backups/" + CLUSTER, "Bearer " + own).statusCode()).isEqualTo(403);
        assertThat(raw("POST", "/retention/" + CLUSTER, null).statusCode()).isEqualTo(401);
        // a dot-dot path is judged by where it lands, not by its first segment
        assertThat(raw("GET", "/wal/" + CLUSTER + "/../../plans", "Bearer " + own).statusCode()).isIn(400, 403);
        assertThat(raw("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> raw(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).method(method,
                method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(new byte[16]));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String path, byte[] body) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
