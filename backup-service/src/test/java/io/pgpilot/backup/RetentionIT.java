package io.pgpilot.backup;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Topics;
import io.pgpilot.launcher.CephRgw;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention against real Ceph RGW with a clock 40 days ahead and a 30-day window. Bucket without
 * object lock: the expired backups (all but the newest complete one ending before the window) and
 * the WAL named before that backup's begin WAL are deleted (every version), everything the window
 * needs stays. Object-locked bucket: the store refuses each deletion of a retained version, the
 * pass counts the refusals and completes, and nothing disappears (no delete marker hides anything).
 * WAL objects are written through the service's own archive (PUT /wal, gzip, lock retention);
 * backups are barman-layout data objects with backup.info files of chosen times.
 */
class RetentionIT {

    private static final String OPEN_BUCKET = "retention-open";
    private static final String LOCKED_BUCKET = "retention-locked";
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
    private static Path tmp;
    private static KafkaBroker kafka;
    private static CephRgw rgw;
    private static ConfigurableApplicationContext app;
    private static String url;
    private static TestTokens tokens;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final Instant T = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("retention-it");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        rgw = CephRgw.startFresh(tmp.resolve("rgw"));
        rgw.createBucket(OPEN_BUCKET, false);
        rgw.createBucket(LOCKED_BUCKET, true);
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path secrets = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(secrets.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"" + rgw.accessKey() + "\",\"SECRET_ACCESS_KEY\":\""
                + rgw.secretKey() + "\"}");
        int port = FreePorts.next();
        url = "http://127.0.0.1:" + port;
        tokens = new TestTokens(home);
        app = SpringApplication.run(BackupServiceApplication.class, "--server.port=" + port,
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                "--pgpilot.backup.default-endpoint-url=" + rgw.endpointUrl(), "--spring.main.banner-mode=off");
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, "open", BaseBackupIT.spec("open", backup(OPEN_BUCKET), ""));
            bus.publish(Topics.SPECS, "locked", BaseBackupIT.spec("locked", backup(LOCKED_BUCKET), ""));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String plans = get("/plans");
            return plans.contains("\"open\"") && plans.contains("\"locked\"");
        });
    }

    static String backup(String bucket) {
        return """
                  backup:
                    retentionPolicy: "30d"
                    barmanObjectStore:
                      destinationPath: s3://%s/ret/
                      s3Credentials:
                        accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                        secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                      wal: {compression: gzip}
                      data: {compression: gzip}
                """.formatted(bucket);
    }

    @AfterAll
    static void stop() {
        if (app != null) app.close();
        if (rgw != null) rgw.close();
        if (kafka != null) kafka.close();
    }

    /** Backups: id, status, begin WAL, end time (relative to T). "Now" is T + 40 days, the window starts at T + 10 days. */
    record Fixture(String id, String status, String beginWal, Instant end) {
    }

    static List<Fixture> backups() {
        List<Fixture> list = new ArrayList<>();
        list.add(fixture("FAILED", 1, T.minus(Duration.ofDays(55))));
        list.add(fixture(BackupInfo.DONE, 2, T.minus(Duration.ofDays(50))));
        list.add(fixture(BackupInfo.DONE, 5, T.minus(Duration.ofDays(35))));
        list.add(fixture(BackupInfo.DONE, 8, T.minus(Duration.ofHours(1))));   // newest ending before the window: the anchor
        list.add(fixture(BackupInfo.DONE, 11, T.plus(Duration.ofDays(20))));   // ends inside the window
        return list;
    }

    static Fixture fixture(String status, int segment, Instant end) {
        return new Fixture(ID.format(end.minus(Duration.ofMinutes(10))), status, segment(segment), end);
    }

    static String segment(int n) {
        return "%08X%08X%08X".formatted(1, 0, n);
    }

    @Test
    void aPass40DaysLaterDeletesExactlyTheExpiredBackupsAndWalAndRefusedLockedDeletesDoNotFailThePass() throws Exception {
        for (String bucket : List.of(OPEN_BUCKET, LOCKED_BUCKET)) {
            writeFixtures(bucket.equals(OPEN_BUCKET) ? "open" : "locked", bucket);
        }
        Set<String> openBefore = keys(OPEN_BUCKET);
        Set<String> lockedBefore = keys(LOCKED_BUCKET);
        // 5 backups x 2 objects, 13 segments, 2 .backup labels, 1 history file
        assertThat(openBefore).hasSize(26);
        assertThat(lockedBefore).hasSize(26);

        // "now" is 40 days later; the window (30d) starts 10 days after the objects were written
        RetentionService later = new RetentionService(app.getBean(BackupCatalog.class), app.getBean(WalService.class),
                app.getBean(EventBus.class), Duration.ofHours(1), Clock.fixed(T.plus(Duration.ofDays(40)), ZoneOffset.UTC));

        // nothing happens with the real clock: everything was written inside the window
        assertThat(app.getBean(RetentionService.class).apply("open").backupsDeleted()).isZero();
        assertThat(keys(OPEN_BUCKET)).isEqualTo(openBefore);

        long t0 = System.nanoTime();
        RetentionService.Result open = later.apply("open");
        System.out.printf("retention pass (open bucket): %s in %.2f s%n", open, (System.nanoTime() - t0) / 1e9);
        List<Fixture> fixtures = backups();
        Set<String> expiredIds = Set.of(fixtures.get(0).id(), fixtures.get(1).id(), fixtures.get(2).id());
        Set<String> expectedGone = new TreeSet<>();
        for (String key : openBefore) {
            if (expiredIds.stream().anyMatch(id -> key.contains("/base/" + id + "/"))) {
                expectedGone.add(key);
            }
            for (int n = 1; n < 8; n++) {
                if (key.contains("/wals/0000000100000000/" + segment(n))) {
                    expectedGone.add(key);
                }
            }
        }
        assertThat(expectedGone).as("3 backups x 2 objects, segments 1..7, the label of segment 5").hasSize(14);
        Set<String> expectedKept = new TreeSet<>(openBefore);
        expectedKept.removeAll(expectedGone);
        assertThat(open.backupsDeleted()).isEqualTo(3);
        assertThat(open.walDeleted()).isEqualTo(8);
        assertThat(open.refused()).isZero();
        assertThat(open.anchor()).isEqualTo(fixtures.get(3).id());
        assertThat(keys(OPEN_BUCKET)).as("exactly what the window needs is left").isEqualTo(expectedKept);
        assertThat(expectedKept).anyMatch(k -> k.contains("/wals/00000002.history"))
                .anyMatch(k -> k.contains("/wals/0000000100000000/" + segment(8) + ".00000028.backup"))
                .anyMatch(k -> k.endsWith("/base/" + fixtures.get(3).id() + "/backup.info"))
                .anyMatch(k -> k.endsWith("/base/" + fixtures.get(4).id() + "/data.tar.gz"));
        try (S3Client s3 = rgw.client()) {
            for (String gone : expectedGone) {
                assertThat(s3.listObjectVersions(b -> b.bucket(OPEN_BUCKET).prefix(gone)).versions())
                        .as("no version of %s left", gone).isEmpty();
            }
        }
        assertThat(get("/backups/open")).contains(fixtures.get(3).id(), fixtures.get(4).id()).doesNotContain(fixtures.get(1).id());
        // a second pass has nothing left to do
        RetentionService.Result again = later.apply("open");
        assertThat(again.backupsDeleted() + again.walDeleted() + again.refused()).isZero();

        // object lock: every object is retained until its time + 30 days (real time); the store refuses, the pass completes
        RetentionService.Result locked = later.apply("locked");
        System.out.println("retention pass (locked bucket): " + locked);
        assertThat(locked.backupsDeleted()).isZero();
        assertThat(locked.walDeleted()).isZero();
        assertThat(locked.refused()).as("every planned deletion attempted and refused: 6 backup objects, 8 WAL objects").isEqualTo(14);
        assertThat(keys(LOCKED_BUCKET)).as("nothing deleted, nothing hidden behind a delete marker").isEqualTo(lockedBefore);
        try (S3Client s3 = rgw.client()) {
            assertThat(s3.listObjectVersions(b -> b.bucket(LOCKED_BUCKET).prefix("ret/")).deleteMarkers()).isEmpty();
        }
        // the periodic pass over all clusters survives the refusals too
        later.applyAll();
        assertThat(keys(LOCKED_BUCKET)).isEqualTo(lockedBefore);
    }

    private static void writeFixtures(String cluster, String bucket) throws Exception {
        byte[] body = new byte[64 * 1024];
        for (int n = 1; n <= 13; n++) {
            Arrays.fill(body, (byte) n);
            putWal(cluster, segment(n), body);
        }
        putWal(cluster, segment(5) + ".00000028.backup", "START WAL LOCATION: 0/5000028\n".getBytes());
        putWal(cluster, segment(8) + ".00000028.backup", "START WAL LOCATION: 0/8000028\n".getBytes());
        putWal(cluster, "00000002.history", "1\t0/9000000\tno recovery target specified\n".getBytes());
        boolean locked = bucket.equals(LOCKED_BUCKET);
        try (S3Client s3 = rgw.client()) {
            for (Fixture f : backups()) {
                String dir = "ret/" + cluster + "/base/" + f.id() + "/";
                boolean done = BackupInfo.DONE.equals(f.status());
                BackupInfo info = new BackupInfo(f.id(), f.status(), 170000, "/var/lib/postgresql/data", 1,
                        f.end().minus(Duration.ofMinutes(10)), "0/" + Integer.toHexString(Integer.parseInt(f.beginWal().substring(16), 16)) + "000028",
                        f.beginWal(), 40, done ? f.end() : f.end(), done ? "0/" + f.beginWal().substring(23) + "000100" : null,
                        done ? f.beginWal() : null, 256, 4096, "7000000000000000001", 16L * 1024 * 1024, "gzip",
                        done ? null : "pg_basebackup failed", "cloud");
                put(s3, bucket, dir + "data.tar.gz", new byte[4096], locked);
                put(s3, bucket, dir + "backup.info", info.render(), locked);
            }
        }
    }

    private static void put(S3Client s3, String bucket, String key, byte[] body, boolean locked) {
        s3.putObject(b -> {
            b.bucket(bucket).key(key);
            if (locked) {
                b.objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(T.plus(Duration.ofDays(30)));
            }
        }, RequestBody.fromBytes(body));
    }

    private static void putWal(String cluster, String name, byte[] body) throws Exception {
        String path = "/wal/" + cluster + "/" + name;
        HttpResponse<String> r = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(201);
    }

    private static Set<String> keys(String bucket) {
        try (S3Client s3 = rgw.client()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("ret/")).contents().stream().map(S3Object::key)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String get(String path) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
