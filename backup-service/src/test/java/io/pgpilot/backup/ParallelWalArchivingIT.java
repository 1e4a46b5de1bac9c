package io.pgpilot.backup;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.WalArchiveScript;
import io.pgpilot.local.OsUser;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.testkit.CephRgw;
import io.pgpilot.testkit.FreePorts;
import io.pgpilot.testkit.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code wal.maxParallel} with real components: Ceph RGW (stopped for a store outage), Kafka, the
 * backup service and PostgreSQL 15 archiving through the script the instance manager renders
 * ({@link WalArchiveScript}, maxParallel 4). Segments pile up first (archive_command empty), so
 * the script is run once by the test exactly as PostgreSQL runs it, then PostgreSQL's own archiver
 * takes over and catches up.
 */
class ParallelWalArchivingIT {

    private static final String CLUSTER = "par-cluster";
    private static Path tmp;
    private static KafkaBroker kafka;
    private static CephRgw rgw;
    private static ConfigurableApplicationContext app;
    private static TestPostgres pg;
    private static String url;
    private static TestTokens tokens;
    private static ConfigRenderer.Archiving archiving;
    private static Path spool;
    private static final OsUser USER = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("parallel-wal-it");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        rgw = CephRgw.startFresh(tmp.resolve("rgw"));
        rgw.createBucket("homelab-backups", true);
        Path home = tmp.resolve("home");
        Path secrets = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(secrets.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"" + rgw.accessKey() + "\",\"SECRET_ACCESS_KEY\":\""
                + rgw.secretKey() + "\"}");
        tokens = new TestTokens(home);
        int port = FreePorts.next();
        url = "http://127.0.0.1:" + port;
        app = SpringApplication.run(BackupServiceApplication.class, "--server.port=" + port,
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                "--pgpilot.backup.default-endpoint-url=" + rgw.endpointUrl(), "--spring.main.banner-mode=off");
        String manifest = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: par-cluster}
                spec:
                  instances: 1
                  backup:
                    barmanObjectStore:
                      destinationPath: s3://homelab-backups/par/
                      s3Credentials:
                        accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                        secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                      wal: {compression: gzip, maxParallel: 4}
                    retentionPolicy: "1d"
                """;
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, CLUSTER, new ClusterSpecRecord(ManifestParser.parse(manifest), 1, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/plans").body().contains(CLUSTER));
        // the instance directory as the configuration writer leaves it: curl config and the rendered script
        archiving = ConfigRenderer.Archiving.of(ManifestValidator.parseAndValidate(manifest), url);
        assertThat(archiving.maxParallel()).isEqualTo(4);
        Path instance = tmp.resolve("pg");
        tokens.writeCurlConfig(instance, CLUSTER);
        Files.writeString(instance.resolve(WalArchiveScript.FILE), WalArchiveScript.render(archiving));
        Files.setPosixFilePermissions(instance.resolve(WalArchiveScript.FILE), PosixFilePermissions.fromString("rw-r--r--"));
        spool = Files.createDirectories(instance.resolve(WalArchiveScript.SPOOL));
        USER.chown(spool);
        // archiving on but no command yet: segments wait in archive_status as .ready
        pg = TestPostgres.start(instance, "data", List.of("archive_mode = on", "archive_command = ''"));
    }

    @AfterAll
    static void stop() {
        if (pg != null) pg.close();
        if (app != null) app.close();
        if (rgw != null) rgw.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void waitingSegmentsGoUpTogetherOnlyStoredOnesAreMarkedAndPostgresCatchesUpThroughTheMarkers() throws Exception {
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            segments.add(switchWal());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ready().containsAll(segments));
        String first = ready().getFirst();

        // a store outage: the call fails, nothing is stored and nothing is marked done
        rgw.stopGateway();
        try {
            assertThat(runScript(first)).isNotZero();
            assertThat(markers()).isEmpty();
        } finally {
            rgw.startGateway();
        }
        for (String s : ready()) {
            assertThat(status(s)).as(s + " must not be stored").isEqualTo(404);
        }

        // the store is back: PostgreSQL's call for the oldest also stores the next three, each marked after its 2xx
        List<String> waiting = ready();
        assertThat(runScript(first)).isZero();
        List<String> together = waiting.subList(0, 4);
        for (String s : together) {
            assertThat(fetch(s)).as(s).isEqualTo(Files.readAllBytes(pg.dataDir().resolve("pg_wal").resolve(s)));
        }
        assertThat(markers()).containsExactlyInAnyOrderElementsOf(together.subList(1, 4));
        assertThat(status(waiting.get(4))).as("no more than maxParallel at once").isEqualTo(404);

        // PostgreSQL's archiver with the rendered command: marked segments return at once, the rest go up in parallel
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET archive_command = " + ConfigRenderer.quote(ConfigRenderer.archiveCommand(archiving)));
            st.execute("SELECT pg_reload_conf()");
        }
        String last = switchWal();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> last.equals(lastArchived()));
        assertThat(ready()).isEmpty();
        assertThat(markers()).as("every marker was used by PostgreSQL's own call").isEmpty();
        for (String s : waiting) {
            assertThat(status(s)).as(s).isEqualTo(200);
        }
        assertThat(archiver("failed_count")).isZero();

        // an outage with PostgreSQL driving: archive_command fails, the segments stay ready, nothing is marked
        rgw.stopGateway();
        List<String> during = new ArrayList<>();
        try {
            long failed = archiver("failed_count");
            for (int i = 0; i < 3; i++) {
                during.add(switchWal());
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> archiver("failed_count") > failed);
            assertThat(ready()).containsAll(during);
            assertThat(markers()).isEmpty();
        } finally {
            rgw.startGateway();
        }
        String after = switchWal();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (!after.equals(lastArchived())) {
                return false;
            }
            return ready().isEmpty();
        });
        for (String s : during) {
            assertThat(status(s)).as(s).isEqualTo(200);
        }
        assertThat(markers()).isEmpty();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The script as PostgreSQL's archiver runs it: as the server's OS user, from the data directory. */
    private static int runScript(String segment) throws Exception {
        Process p = new ProcessBuilder(USER.wrap(List.of("sh", "../" + WalArchiveScript.FILE, "pg_wal/" + segment, segment)))
                .directory(pg.dataDir().toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("script.out").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static List<String> ready() throws Exception {
        try (Stream<Path> files = Files.list(pg.dataDir().resolve("pg_wal/archive_status"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}\\.ready"))
                    .map(n -> n.substring(0, 24)).sorted().toList();
        }
    }

    private static List<String> markers() throws Exception {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

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

    private static int status(String segment) throws Exception {
        String path = "/wal/" + CLUSTER + "/" + segment;
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] fetch(String segment) throws Exception {
        String path = "/wal/" + CLUSTER + "/" + segment;
        HttpResponse<byte[]> r = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(segment).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(), HttpResponse.BodyHandlers.ofString());
    }
}
