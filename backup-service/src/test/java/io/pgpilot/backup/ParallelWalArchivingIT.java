package io.pgpilot.backup;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.WalArchiveScript;
import io.pgpilot.instance.configuration.WalRestoreScript;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code wal.maxParallel} with real components: Ceph RGW (stopped for a store outage), Kafka, the
 * backup service and PostgreSQL 15 archiving through the script the instance manager renders
 * ({@link WalArchiveScript}, maxParallel 4). Segments pile up first (archive_command empty), so
 * the script is run once by the test exactly as PostgreSQL runs it, then PostgreSQL's own archiver
 * takes over and catches up. Then a base backup of that server is recovered by another
 * PostgreSQL replaying 40 segments through the prefetching restore script (maxParallel 8).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParallelWalArchivingIT {

    private static final String CLUSTER = "par-cluster";
    private static final String RESTORED = "par-restore";
    private static ConfigRenderer.Recovery recovery;
    private static Path tmp;
    private static KafkaBroker kafka;
    private static CephRgw rgw;
    private static ConfigurableApplicationContext app;
    private static TestPostgres pg;
    private static String url;
    private static TestTokens tokens;
    private static ConfigRenderer.Archiving archiving;
    private static Path spool;
    private static Path restored;
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
        // a new cluster recovering from par-cluster's archive, 8 WAL segments fetched at once
        String restore = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: par-restore}
                spec:
                  instances: 1
                  bootstrap:
                    recovery: {source: par-cluster}
                  externalClusters:
                    - name: par-cluster
                      barmanObjectStore:
                        destinationPath: s3://homelab-backups/par/
                        serverName: par-cluster
                        s3Credentials:
                          accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                          secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                        wal: {compression: gzip, maxParallel: 8}
                """;
        var restoreDefinition = ManifestValidator.parseAndValidate(restore);
        recovery = new ConfigRenderer.Recovery(url, RESTORED, restoreDefinition.recovery().target(),
                restoreDefinition.recovery().store().walParallelism());
        assertThat(recovery.prefetch()).isEqualTo(8);
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, CLUSTER, new ClusterSpecRecord(ManifestParser.parse(manifest), 1, Instant.now()));
            bus.publish(Topics.SPECS, RESTORED, new ClusterSpecRecord(ManifestParser.parse(restore), 1, Instant.now()));
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
        if (restored != null && Files.exists(restored.resolve("postmaster.pid"))) {
            Commands.run(USER, List.of(PostgresBinaries.detect().tool("pg_ctl"), "-D", restored.toString(), "-m", "immediate", "-w", "stop"),
                    Map.of(), null, Duration.ofSeconds(60));
        }
        if (pg != null) pg.close();
        if (app != null) app.close();
        if (rgw != null) rgw.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @Order(1)
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


    @Test
    @Order(2)
    void aRecoveryReplaysFortySegmentsFromThePrefetchUsesEachOnceAndEndsAtTheEndOfTheArchive() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.detect();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET archive_command = " + ConfigRenderer.quote(ConfigRenderer.archiveCommand(archiving)));
            st.execute("SELECT pg_reload_conf()");
            st.execute("CREATE TABLE IF NOT EXISTS t (x int)");
        }
        // base backup without WAL: everything comes from the archive (pg_basebackup waits until its WAL is archived)
        Path instance = Files.createDirectories(tmp.resolve("restore"));
        restored = instance.resolve("data");
        USER.createPrivateDirectory(restored);
        Commands.run(USER, List.of(binaries.tool("pg_basebackup"), "-D", restored.toString(), "-X", "none", "-c", "fast",
                "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", "postgres"), Map.of(), null, Duration.ofSeconds(300));
        List<String> produced = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            produced.add(switchWal());
        }
        long rows;
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            rows = rs.getLong(1);
        }
        String last = produced.getLast();
        // every .ready wakes the archiver: no further WAL is written until the recovery has been checked
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> lastArchived() != null && last.compareTo(lastArchived()) <= 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> recoveryStatus(produced.getFirst()) == 200);

        // the new instance directory: the new cluster's token, the rendered script, the prefetch directory
        tokens.writeCurlConfig(instance, RESTORED);
        Files.writeString(instance.resolve(WalRestoreScript.FILE), WalRestoreScript.render(recovery));
        Files.setPosixFilePermissions(instance.resolve(WalRestoreScript.FILE), PosixFilePermissions.fromString("rw-r--r--"));
        Path prefetch = Files.createDirectories(instance.resolve(WalRestoreScript.PREFETCH));
        USER.chown(prefetch);
        Files.writeString(restored.resolve("postgresql.conf"), "\narchive_mode = off\nrestore_command = "
                + ConfigRenderer.quote(ConfigRenderer.recoveryRestoreCommand(recovery)) + "\nrecovery_target_timeline = 'latest'\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(restored.resolve("recovery.signal"), "");
        int port = FreePorts.next();
        Commands.run(USER, List.of(binaries.tool("pg_ctl"), "-D", restored.toString(), "-w", "-t", "300",
                "-l", restored.resolve("server.log").toString(), "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                        + restored + " -c fsync=off", "start"), Map.of(), null, Duration.ofSeconds(320));
        String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            try (Connection c = java.sql.DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                return !rs.getBoolean(1);
            }
        });
        try (Connection c = java.sql.DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).as("every row written after the base backup was replayed").isEqualTo(rows);
        }
        String log = Files.readString(restored.resolve("server.log"));
        for (String s : produced) {
            assertThat(log).contains("restored log file \"" + s + "\" from archive");
        }
        assertThat(prefetchFiles(prefetch)).as("each prefetched segment used once, the rest dropped").isEmpty();

        // the script on its own, as PostgreSQL calls it: a stale file of another timeline is dropped,
        // the next seven are prefetched, a prefetched one is served once
        Path probe = tmp.resolve("probe");
        USER.createPrivateDirectory(probe);
        Path stale = prefetch.resolve("00000009" + produced.get(3).substring(8));
        Files.writeString(stale, "not this segment");
        USER.chown(stale);
        assertThat(restoreScript(produced.get(0), probe.resolve("a"))).isZero();
        assertThat(Files.readAllBytes(probe.resolve("a"))).isEqualTo(fetchRecovery(produced.get(0)));
        assertThat(prefetchFiles(prefetch)).containsExactlyElementsOf(produced.subList(1, 8));
        assertThat(restoreScript(produced.get(1), probe.resolve("b"))).isZero();
        assertThat(Files.readAllBytes(probe.resolve("b"))).isEqualTo(fetchRecovery(produced.get(1)));
        assertThat(prefetchFiles(prefetch)).containsExactlyElementsOf(produced.subList(2, 8));
        // not archived: exit 1 (the end of the archive), nothing kept
        String beyond = "0000000100000001000000F0";
        assertThat(restoreScript(beyond, probe.resolve("c"))).isEqualTo(1);
        assertThat(probe.resolve("c")).doesNotExist();
        assertThat(prefetchFiles(prefetch)).isEmpty();
        // the store unreachable: exit 200 (PostgreSQL stops with FATAL instead of ending recovery), nothing kept
        rgw.stopGateway();
        try {
            assertThat(restoreScript(produced.get(20), probe.resolve("d"))).isEqualTo(200);
            assertThat(probe.resolve("d")).doesNotExist();
            assertThat(prefetchFiles(prefetch)).isEmpty();
        } finally {
            rgw.startGateway();
        }
    }

    private static int restoreScript(String segment, Path target) throws Exception {
        Process p = new ProcessBuilder(USER.wrap(List.of("sh", "../" + WalRestoreScript.FILE, segment, target.toString())))
                .directory(restored.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("restore-script.out").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static List<String> prefetchFiles(Path prefetch) throws Exception {
        try (Stream<Path> files = Files.list(prefetch)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static int recoveryStatus(String segment) throws Exception {
        String path = "/recovery/" + RESTORED + "/wal/" + segment;
        return http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] fetchRecovery(String segment) throws Exception {
        String path = "/recovery/" + RESTORED + "/wal/" + segment;
        HttpResponse<byte[]> r = http.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(segment).isEqualTo(200);
        return r.body();
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
