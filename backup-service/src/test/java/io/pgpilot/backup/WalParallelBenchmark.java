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
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.launcher.CephRgw;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * WAL in both directions, {@code wal.maxParallel} 1 against N: the backup service, Kafka and Ceph RGW
 * (memstore) on loopback, one PostgreSQL 15 source.
 *
 * <ol>
 *   <li>Two base backups of the source ({@code pg_basebackup -X none}) for the two recoveries.</li>
 *   <li>Archiving held ({@code archive_command = ''}), bulk inserts (the table truncated after each
 *   round, so no copy grows) until S segments wait, then the
 *   one-curl {@code archive_command} (maxParallel 1) set and timed until {@code pg_stat_archiver}
 *   reports the last one. Again with S new segments and the rendered script (maxParallel N).</li>
 *   <li>Each base backup recovered by its own PostgreSQL replaying every archived segment (2·S and
 *   more) to the end of the archive: one with the one-curl restore_command, one with the
 *   prefetching script (prefetch P); timed from {@code pg_ctl start} until it is promoted.</li>
 * </ol>
 *
 * <p>{@code WalParallelBenchmark <results file> [segments=100] [archive maxParallel=4] [prefetch=8]}
 */
public final class WalParallelBenchmark {

    private static final String CLUSTER = "walbench";
    private static final String RESTORED = "walbench-restored";
    private static final OsUser USER = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private WalParallelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args[0]).toAbsolutePath();
        int segments = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int parallel = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int prefetch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        Path tmp = Files.createTempDirectory(Path.of("/var/tmp"), "wal-bench-");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder report = new StringBuilder();
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka")); CephRgw rgw = CephRgw.startFresh(tmp.resolve("rgw"))) {
            rgw.createBucket("homelab-backups", true);
            Path home = tmp.resolve("home");
            Path secrets = Files.createDirectories(home.resolve("secrets"));
            Files.writeString(secrets.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"" + rgw.accessKey() + "\",\"SECRET_ACCESS_KEY\":\""
                    + rgw.secretKey() + "\"}");
            TestTokens tokens = new TestTokens(home);
            int port = FreePorts.next();
            String url = "http://127.0.0.1:" + port;
            try (ConfigurableApplicationContext app = SpringApplication.run(BackupServiceApplication.class, "--server.port=" + port,
                    "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                    "--pgpilot.backup.default-endpoint-url=" + rgw.endpointUrl(), "--spring.main.banner-mode=off", "--logging.level.root=WARN")) {
                publishSpecs(kafka, prefetch);
                waitFor(Duration.ofSeconds(60), () -> get(tokens, url, "/plans").contains(CLUSTER));
                report.append(run(tmp, tokens, url, segments, parallel, prefetch));
            }
        }
        String text = "# WAL benchmark: wal.maxParallel (archiving) and WAL prefetch (recovery)\n\n"
                + "Run " + Instant.now() + " by `bench/wal.sh " + segments + " " + parallel + " " + prefetch + "` (backup service, Kafka, Ceph RGW"
                + " memstore and PostgreSQL 15 on loopback; 2-core machine shared with other builds).\n\n"
                + "| operation | time | segments/s | MB/s (16 MiB per segment) | load average (1 min) at the end |\n|---|---|---|---|---|\n"
                + report;
        Files.createDirectories(results.getParent());
        Files.writeString(results, text);
        System.out.println(text);
        System.out.println("results written to " + results + " (work directory " + tmp + ", left for inspection)");
    }

    private static String run(Path tmp, TestTokens tokens, String url, int segments, int parallel, int prefetch) throws Exception {
        PostgresBinaries binaries = PostgresBinaries.detect();
        Path instance = tmp.resolve("source");
        tokens.writeCurlConfig(instance, CLUSTER);
        ConfigRenderer.Archiving one = new ConfigRenderer.Archiving(url, CLUSTER, 1);
        ConfigRenderer.Archiving many = new ConfigRenderer.Archiving(url, CLUSTER, parallel);
        Files.writeString(instance.resolve(WalArchiveScript.FILE), WalArchiveScript.render(many));
        Files.setPosixFilePermissions(instance.resolve(WalArchiveScript.FILE), PosixFilePermissions.fromString("rw-r--r--"));
        USER.chown(Files.createDirectories(instance.resolve(WalArchiveScript.SPOOL)));
        StringBuilder rows = new StringBuilder();
        try (TestPostgres pg = TestPostgres.start(instance, "data", List.of("archive_mode = on", "archive_command = ''",
                "max_wal_size = '1GB'", "wal_compression = off"))) {
            // archiving must work for pg_basebackup to finish: one curl meanwhile
            setArchiveCommand(pg, ConfigRenderer.archiveCommand(one));
            Path plain = baseBackup(binaries, pg, tmp.resolve("restore-plain"));
            Path prefetched = baseBackup(binaries, pg, tmp.resolve("restore-prefetch"));
            rows.append(archive(pg, segments, ConfigRenderer.archiveCommand(one), "WAL archiving, maxParallel 1 (one curl PUT per call)"));
            rows.append(archive(pg, segments, ConfigRenderer.archiveCommand(many), "WAL archiving, maxParallel " + parallel
                    + " (rendered script)"));
            var target = ClusterDefinition.RecoveryTarget.END_OF_WAL;
            rows.append(recover(binaries, tokens, plain, new ConfigRenderer.Recovery(url, RESTORED, target, 1),
                    "recovery to the end of the archive, no prefetch (one curl GET per call)"));
            rows.append(recover(binaries, tokens, prefetched, new ConfigRenderer.Recovery(url, RESTORED, target, prefetch),
                    "recovery to the end of the archive, prefetch " + prefetch + " (rendered script)"));
        }
        return rows.toString();
    }

    private static String archive(TestPostgres pg, int segments, String command, String label) throws Exception {
        setArchiveCommand(pg, "");
        String last;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bench (id bigint, payload text)");
            long start = walNumber(st);
            while (walNumber(st) - start < segments) {
                // full segments of heap inserts; emptied each round so the table (and every restored copy) stays small
                st.execute("INSERT INTO bench SELECT g, md5(g::text) || repeat('x', 60) FROM generate_series(1, 100000) g");
                st.execute("TRUNCATE bench");
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                last = rs.getString(1);
            }
        }
        long t0 = System.nanoTime();
        setArchiveCommand(pg, command);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_switch_wal()");
        }
        waitFor(Duration.ofMinutes(30), () -> {
            String archived = query(pg, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
            return archived.compareTo(last) >= 0;
        });
        return row(label + ", " + segments + " segments", System.nanoTime() - t0, segments);
    }

    private static String recover(PostgresBinaries binaries, TestTokens tokens, Path data, ConfigRenderer.Recovery recovery,
                                  String label) throws Exception {
        Path instance = data.getParent();
        tokens.writeCurlConfig(instance, RESTORED);
        if (recovery.prefetching()) {
            Files.writeString(instance.resolve(WalRestoreScript.FILE), WalRestoreScript.render(recovery));
            Files.setPosixFilePermissions(instance.resolve(WalRestoreScript.FILE), PosixFilePermissions.fromString("rw-r--r--"));
            USER.chown(Files.createDirectories(instance.resolve(WalRestoreScript.PREFETCH)));
        }
        Files.writeString(data.resolve("postgresql.conf"), "\narchive_mode = off\nrestore_command = "
                + ConfigRenderer.quote(ConfigRenderer.recoveryRestoreCommand(recovery)) + "\nrecovery_target_timeline = 'latest'\n",
                StandardOpenOption.APPEND);
        Files.writeString(data.resolve("recovery.signal"), "");
        int port = FreePorts.next();
        long t0 = System.nanoTime();
        Commands.run(USER, List.of(binaries.tool("pg_ctl"), "-D", data.toString(), "-l", data.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + data + " -c fsync=off", "start"),
                Map.of(), null, Duration.ofSeconds(60));
        try {
            String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            waitFor(Duration.ofMinutes(30), () -> {
                try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    return !rs.getBoolean(1);
                } catch (Exception e) {
                    return false;
                }
            });
            long elapsed = System.nanoTime() - t0;
            long restored = Files.readString(data.resolve("server.log")).lines().filter(l -> l.contains("restored log file")).count();
            return row(label + ", " + restored + " segments restored from the archive", elapsed, restored);
        } finally {
            Commands.run(USER, List.of(binaries.tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop"), Map.of(), null,
                    Duration.ofSeconds(60));
        }
    }

    private static Path baseBackup(PostgresBinaries binaries, TestPostgres pg, Path instance) throws Exception {
        Files.createDirectories(instance);
        Path data = instance.resolve("data");
        USER.createPrivateDirectory(data);
        Commands.run(USER, List.of(binaries.tool("pg_basebackup"), "-D", data.toString(), "-X", "none", "-c", "fast", "-h", "127.0.0.1",
                "-p", String.valueOf(pg.port()), "-U", "postgres"), Map.of(), null, Duration.ofMinutes(10));
        Files.deleteIfExists(data.resolve("server.log"));
        return data;
    }

    private static long walNumber(Statement st) throws Exception {
        // log id * 256 + segment (16 MB segments): consecutive across log ids
        try (ResultSet rs = st.executeQuery("SELECT ('x' || substr(w, 9, 8))::bit(32)::bigint * 256 + ('x' || substr(w, 17, 8))::bit(32)::bigint"
                + " FROM pg_walfile_name(pg_current_wal_lsn()) w")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void setArchiveCommand(TestPostgres pg, String command) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET archive_command = " + ConfigRenderer.quote(command));
            st.execute("SELECT pg_reload_conf()");
        }
        waitFor(Duration.ofSeconds(30), () -> command.equals(query(pg, "SHOW archive_command")));
    }

    private static String query(TestPostgres pg, String sql) {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static String row(String label, long nanos, long segments) throws Exception {
        double seconds = nanos / 1e9;
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        String line = String.format(Locale.ROOT, "| %s | %.1f s | %.2f | %.1f | %s |%n", label, seconds, segments / seconds,
                segments * 16.777216 / seconds, load);
        System.out.print(line);
        return line;
    }

    private static void publishSpecs(KafkaBroker kafka, int maxParallel) throws Exception {
        String source = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: walbench}
                spec:
                  instances: 1
                  backup:
                    retentionPolicy: "1d"
                    barmanObjectStore:
                      destinationPath: s3://homelab-backups/walbench/
                      s3Credentials:
                        accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                        secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                      wal: {compression: gzip, maxParallel: %d}
                """.formatted(maxParallel);
        String restored = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: walbench-restored}
                spec:
                  instances: 1
                  bootstrap:
                    recovery: {source: walbench}
                  externalClusters:
                    - name: walbench
                      barmanObjectStore:
                        destinationPath: s3://homelab-backups/walbench/
                        serverName: walbench
                        s3Credentials:
                          accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                          secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                        wal: {compression: gzip, maxParallel: %d}
                """.formatted(maxParallel);
        try (EventBus bus = new EventBus(kafka.bootstrapServers(), "bench", Duration.ofSeconds(10))) {
            bus.publish(Topics.SPECS, CLUSTER, new ClusterSpecRecord(ManifestParser.parse(source), 1, Instant.now()));
            bus.publish(Topics.SPECS, RESTORED, new ClusterSpecRecord(ManifestParser.parse(restored), 1, Instant.now()));
        }
    }

    private static String get(TestTokens tokens, String url, String path) {
        try {
            return HTTP.send(tokens.authorize(HttpRequest.newBuilder(URI.create(url + path)), path).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static void waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("not reached within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
