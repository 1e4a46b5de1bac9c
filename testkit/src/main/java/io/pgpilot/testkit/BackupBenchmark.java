package io.pgpilot.testkit;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.CephRgw;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.Waits;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The backup benchmark: pgpilot against Debian's barman-cloud (gzip), side by side in one run, on
 * the same database, the same WAL segment files and the same local S3 store (Ceph RGW).
 *
 * <ol>
 *   <li>Platform with the local store, a 1-instance cluster with {@code spec.backup} (gzip WAL and
 *   data) into {@code s3://homelab-backups/cnpg/}.</li>
 *   <li>WAL archiving is held (archive_command set to '' with ALTER SYSTEM: PostgreSQL keeps the
 *   segments, marked .ready) while {@code pgbench -i -s <scale>} loads the database through the rw
 *   endpoint as the app user and updates add WAL until at least N segments wait.</li>
 *   <li>Those segment files are copied aside; archiving is released and timed until
 *   pg_stat_archiver reports the last of them (pgpilot: archive_command - curl - backup service -
 *   S3). Then barman-cloud-wal-archive --gzip archives the copies one process per segment, as an
 *   archive_command would, into {@code s3://homelab-backups/barman/}.</li>
 *   <li>Base backup: pgpilot through {@code POST /api/v1/clusters/bench/backups} (polled until
 *   completed), barman-cloud-backup --gzip as the postgres OS user from the same instance.</li>
 *   <li>Restore: pgpilot into a new cluster ({@code POST /api/v1/clusters/bench/restore}, else a
 *   bootstrap.recovery manifest), timed until its primary accepts connections; barman-cloud-restore
 *   into an empty directory (files on disk), then PostgreSQL started on it with recovery to the end
 *   of the backup (until it accepts connections).</li>
 * </ol>
 *
 * <p>{@code BackupBenchmark <repository> <results file> [pgbench scale] [WAL segments]}
 */
public final class BackupBenchmark {

    private static final String CLUSTER = "bench";
    private static final String RESTORED = "bench-restored";
    private static final String BUCKET = LocalPlatform.ObjectStore.REFERENCE_BUCKET;
    private static final String PGPILOT_PREFIX = "cnpg";
    private static final String BARMAN_PREFIX = "barman";
    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    private static final double MB = 1_000_000.0;

    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: %s
            spec:
              instances: 1
              postgresql:
                parameters:
                  shared_buffers: "128MB"
                  max_wal_size: "2GB"
              backup:
                barmanObjectStore:
                  destinationPath: s3://homelab-backups/cnpg/
                  s3Credentials:
                    accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                    secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                  wal:
                    compression: gzip
                  data:
                    compression: gzip
                retentionPolicy: "7d"
            %s""";

    /** One measured operation: wall time, bytes it moved (uncompressed) and what landed in S3. */
    record Figure(String side, String what, double seconds, long bytes, long storedBytes, String includes, String load) {

        Figure(String side, String what, double seconds, long bytes, long storedBytes, String includes) {
            this(side, what, seconds, bytes, storedBytes, includes, loadAverage());
        }

        double mbPerSecond() {
            return seconds <= 0 ? 0 : bytes / MB / seconds;
        }
    }

    private final LocalPlatform platform;
    private final Path home;
    private final Path work;
    private final Map<String, String> s3Env;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long databaseBytes;
    private long clusterBytes;
    private long loadedBytes;
    private int segments;

    private BackupBenchmark(LocalPlatform platform, Path home) throws IOException {
        this.platform = platform;
        this.home = home;
        this.work = home.resolve("bench-work");
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        CephRgw store = platform.objectStore();
        this.s3Env = Map.of("AWS_ACCESS_KEY_ID", store.accessKey(), "AWS_SECRET_ACCESS_KEY", store.secretKey(),
                "AWS_DEFAULT_REGION", CephRgw.REGION);
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int scale = args.length > 2 ? Integer.parseInt(args[2]) : 70;
        int wantSegments = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        // not /tmp/pgpilot-*: test runs on a shared machine clean those up
        Path home = Files.createTempDirectory(Path.of(System.getProperty("pgpilot.bench.dir", "/var/tmp")), "backup-bench-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        long started = System.nanoTime();
        BackupBenchmark bench = null;
        try (LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home), List.of(),
                LocalPlatform.ObjectStore.ephemeral())) {
            if (platform.apply(MANIFEST.formatted(CLUSTER, ""), CLUSTER) != 201) {
                throw new IllegalStateException("cluster not accepted");
            }
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
            bench = new BackupBenchmark(platform, home);
            bench.run(scale, wantSegments);
        } catch (Exception e) {
            if (bench == null) {
                throw e;
            }
            e.printStackTrace();
            bench.notes.add("the run stopped early: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        // the data (PGDATA of both clusters, WAL copies, restored directories: ~10 GB at scale 70) goes; logs stay
        for (String dir : List.of("bench-work", "clusters", "s3")) {
            deleteRecursively(home.resolve(dir));
        }
        String report = bench.report(scale, (System.nanoTime() - started) / 1e9);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results + " (platform home " + home + ")");
    }

    private void run(int scale, int wantSegments) throws Exception {
        // ---- data and WAL ---------------------------------------------------------------------
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            st.execute("ALTER SYSTEM SET archive_command = ''");
            st.execute("SELECT pg_reload_conf()");
        }
        log("archiving held (archive_command = ''); loading pgbench scale %d through rw as the app user", scale);
        long t = System.nanoTime();
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSWORD", secret("app"));
        String[] rw = rw().split(":");
        run("pgbench-init", List.of(PG_BIN.resolve("pgbench").toString(), "-i", "-q", "-s", Integer.toString(scale),
                "-h", rw[0], "-p", rw[1], "-U", "app", "app"), env, false, Duration.ofMinutes(10));
        log("loaded in %.1f s", seconds(t));
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            databaseBytes = queryLong(st, "SELECT pg_database_size('app')");
            log("database app: %d bytes (%.0f MB)", databaseBytes, databaseBytes / MB);
            clusterBytes = queryLong(st, "SELECT sum(pg_database_size(datname)) FROM pg_database");
            int aid = 0;
            int chunk = 200_000;
            while (readySegments(st).size() < wantSegments) {
                st.execute("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid > " + aid + " AND aid <= " + (aid + chunk));
                aid = (aid + chunk) % (scale * 100_000);
                st.execute("SELECT pg_switch_wal()");
            }
            st.execute("CHECKPOINT");
            st.execute("SELECT pg_switch_wal()");
        }
        Path walCopy = work.resolve("wal");
        Files.createDirectories(walCopy);
        List<String> names;
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            names = readySegments(st);
        }
        Path pgWal = pgdata().resolve("pg_wal");
        for (String name : names) {
            Files.copy(pgWal.resolve(name), walCopy.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        segments = names.size();
        run("chown-wal", List.of("chown", "-R", "postgres:postgres", walCopy.toString()), Map.of(), false, Duration.ofMinutes(1));
        log("%d WAL segments wait for archiving (%s .. %s), copied aside", segments, names.getFirst(), names.getLast());

        // ---- WAL archiving: pgpilot -----------------------------------------------------------
        long archivedBefore;
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            archivedBefore = queryLong(st, "SELECT archived_count FROM pg_stat_archiver");
            t = System.nanoTime();
            st.execute("ALTER SYSTEM RESET archive_command");
            st.execute("SELECT pg_reload_conf()");
            String last = names.getLast();
            Waits.until("PostgreSQL to archive " + segments + " segments through pgpilot", Duration.ofMinutes(15), () -> {
                try (ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_wal, ''), archived_count FROM pg_stat_archiver")) {
                    rs.next();
                    String archived = rs.getString(1);
                    return archived.length() == 24 && archived.compareTo(last) >= 0 && rs.getLong(2) - archivedBefore >= segments;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        double pgpilotWal = seconds(t);
        long pgpilotWalStored = storedBytes(PGPILOT_PREFIX + "/" + CLUSTER + "/wals/", names);
        figures.add(new Figure("pgpilot", "WAL archiving", pgpilotWal, segments * SEGMENT_BYTES, pgpilotWalStored,
                "PostgreSQL's archiver running archive_command (curl PUT to the backup service, gzip, S3 PUT, acknowledged after"
                        + " the store's answer) for every waiting segment, one after the other; from pg_reload_conf() releasing"
                        + " the held archiver to pg_stat_archiver reporting the last one"));
        log("pgpilot archived %d segments in %.1f s", segments, pgpilotWal);

        // ---- WAL archiving: barman-cloud-wal-archive --gzip, one process per segment ----------------
        t = System.nanoTime();
        for (String name : names) {
            barman("barman-wal-archive", List.of("barman-cloud-wal-archive", "--cloud-provider", "aws-s3", "--endpoint-url",
                    endpoint(), "--gzip", "s3://" + BUCKET + "/" + BARMAN_PREFIX, CLUSTER, walCopy.resolve(name).toString()));
        }
        double barmanWal = seconds(t);
        long barmanWalStored = storedBytes(BARMAN_PREFIX + "/" + CLUSTER + "/wals/", names);
        figures.add(new Figure("barman-cloud", "WAL archiving", barmanWal, segments * SEGMENT_BYTES, barmanWalStored,
                "barman-cloud-wal-archive --gzip run as the postgres OS user once per segment, one after the other (as"
                        + " archive_command runs it), on the same segment files; process start included, as in archive_command"));
        log("barman-cloud-wal-archive archived %d segments in %.1f s", segments, barmanWal);

        // the updates that made WAL left dead tuples: backup and restore figures use the size now
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            loadedBytes = databaseBytes;
            databaseBytes = queryLong(st, "SELECT pg_database_size('app')");
            clusterBytes = queryLong(st, "SELECT sum(pg_database_size(datname)) FROM pg_database");
            log("database app before the base backups: %d bytes (%.0f MB)", databaseBytes, databaseBytes / MB);
        }

        // ---- base backup: pgpilot (a failure there is reported, the barman side still runs) ------
        String pgpilotBackupId = null;
        try {
            pgpilotBackupId = pgpilotBackup();
        } catch (RuntimeException e) {
            notes.add("pgpilot base backup failed: " + e.getMessage());
            log("pgpilot base backup failed: %s", e.getMessage());
        }

        // ---- base backup: barman-cloud-backup --gzip ------------------------------------------------
        Map<String, String> barmanEnv = new HashMap<>(s3Env);
        barmanEnv.put("PGPASSWORD", secret("superuser"));
        t = System.nanoTime();
        run("barman-backup", List.of("barman-cloud-backup", "--cloud-provider", "aws-s3", "--endpoint-url", endpoint(), "--gzip",
                "--immediate-checkpoint", "-h", "127.0.0.1", "-p", Integer.toString(instancePort()), "-U", "postgres",
                "s3://" + BUCKET + "/" + BARMAN_PREFIX, CLUSTER), barmanEnv, true, Duration.ofMinutes(30));
        double barmanBackup = seconds(t);
        String barmanBackupId = onlyBackupId(BARMAN_PREFIX + "/" + CLUSTER + "/base/");
        long barmanBackupStored = storedBytes(BARMAN_PREFIX + "/" + CLUSTER + "/base/" + barmanBackupId + "/", null);
        figures.add(new Figure("barman-cloud", "base backup", barmanBackup, databaseBytes, barmanBackupStored,
                "barman-cloud-backup --gzip --immediate-checkpoint (default -J 2 upload processes) as the postgres OS user"
                        + " over TCP to the instance: backup start, tar+gzip of the data directory, upload, backup stop (which"
                        + " waits for the end WAL to be archived by pgpilot's archive_command), backup.info"));
        log("barman-cloud-backup %s in %.1f s", barmanBackupId, barmanBackup);

        // ---- restore: pgpilot -------------------------------------------------------------------
        if (pgpilotBackupId != null) {
            try {
                pgpilotRestore(pgpilotBackupId, scale);
            } catch (RuntimeException e) {
                notes.add("pgpilot restore failed: " + e.getMessage());
                log("pgpilot restore failed: %s", e.getMessage());
            }
        }

        // ---- restore: barman-cloud-restore --------------------------------------------------------
        barmanRestore(barmanBackupId, scale);
    }

    // ---- pgpilot through the gateway ------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private String pgpilotBackup() throws Exception {
        long t = System.nanoTime();
        String api = "/api/v1/clusters/" + CLUSTER + "/backups";
        java.util.function.Function<String, HttpResponse<String>> get = id -> platform.send("GET", api + "/" + id, null);
        HttpResponse<String> created = platform.send("POST", api, null);
        String via = "the gateway (POST " + api + ", GET " + api + "/{id})";
        if (created.statusCode() == 404 || created.statusCode() == 405) {
            // the gateway's route is not there (yet): the backup service's own endpoint does the same work
            String direct = "http://127.0.0.1:" + platform.settings().backupPort() + "/backups/" + CLUSTER;
            HttpResponse<String> viaService = http("POST", direct);
            if (viaService.statusCode() / 100 == 2) {
                notes.add("pgpilot base backup: the gateway answered HTTP " + created.statusCode() + " to POST " + api
                        + ", so the benchmark called the backup service directly (POST /backups/" + CLUSTER + ", GET /backups/"
                        + CLUSTER + "/{id}), which is what the gateway forwards to");
                created = viaService;
                via = "the backup service directly (POST /backups/" + CLUSTER + ")";
                get = id -> http("GET", direct + "/" + id);
            }
        }
        if (created.statusCode() / 100 != 2) {
            notes.add("pgpilot base backup: POST " + api + " answered HTTP " + created.statusCode()
                    + " (the base backup API is not available in this build): no pgpilot base backup or restore figures");
            log("pgpilot base backup API not available (HTTP %d)", created.statusCode());
            return null;
        }
        var poll = get;
        Map<String, Object> body = Json.MAPPER.readValue(created.body(), Map.class);
        String id = firstString(body, "backupId", "backupID", "id", "name");
        if (id == null) {
            throw new IllegalStateException("no backup id in " + created.body());
        }
        Map<String, Object>[] last = new Map[1];
        Waits.until("pgpilot backup " + id + " to complete", Duration.ofMinutes(30), () -> {
            HttpResponse<String> r = poll.apply(id);
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = Json.MAPPER.readValue(r.body(), Map.class);
            String status = String.valueOf(firstString(last[0], "status", "phase")).toLowerCase(Locale.ROOT);
            if (status.equals("failed")) {
                throw new IllegalStateException("pgpilot backup failed: " + r.body());
            }
            return status.equals("completed");
        });
        double s = seconds(t);
        long stored = storedBytes(PGPILOT_PREFIX + "/" + CLUSTER + "/base/" + id + "/", null);
        figures.add(new Figure("pgpilot", "base backup", s, databaseBytes, stored,
                "the backup requested through " + via + " until GET reports it completed (polled every 50 ms): backup start,"
                        + " data streamed, compressed and uploaded by the backup service, backup stop, backup.info"));
        notes.add("pgpilot backup " + id + " as the API reported it: " + Json.MAPPER.writeValueAsString(last[0]));
        log("pgpilot backup %s in %.1f s", id, s);
        return id;
    }

    @SuppressWarnings("unchecked")
    private void pgpilotRestore(String backupId, int scale) throws Exception {
        long t = System.nanoTime();
        String request = Json.MAPPER.writeValueAsString(Map.of("backupID", backupId, "cluster", RESTORED));
        HttpResponse<String> r = platform.gateway().send("POST", "/api/v1/clusters/" + CLUSTER + "/restore", "application/json", request);
        String how = "POST /api/v1/clusters/" + CLUSTER + "/restore";
        if (r.statusCode() == 404 || r.statusCode() == 405) {
            how = "a manifest with bootstrap.recovery {source: " + CLUSTER + ", backupID: " + backupId + "}";
            String bootstrap = """
                      bootstrap:
                        recovery:
                          source: %s
                          backupID: "%s"
                      externalClusters:
                        - name: %s
                          barmanObjectStore:
                            destinationPath: s3://homelab-backups/cnpg/
                            s3Credentials:
                              accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                              secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                            wal:
                              compression: gzip
                    """.formatted(CLUSTER, backupId, CLUSTER);
            int status = platform.apply(MANIFEST.formatted(RESTORED, bootstrap), RESTORED);
            if (status / 100 != 2) {
                notes.add("pgpilot restore: neither " + "POST .../restore (HTTP " + r.statusCode() + ") nor a bootstrap.recovery manifest"
                        + " (HTTP " + status + ") was accepted: no pgpilot restore figure");
                return;
            }
        } else if (r.statusCode() / 100 != 2) {
            notes.add("pgpilot restore: " + how + " answered HTTP " + r.statusCode() + ": " + r.body());
            return;
        }
        try {
            awaitRestored();
        } catch (IllegalStateException e) {
            notes.add("pgpilot restore: the restored cluster did not accept connections: " + e.getMessage());
            pgpilotRestoreFiles(backupId);
            return;
        }
        double s = seconds(t);
        figures.add(new Figure("pgpilot", "restore (new cluster)", s, databaseBytes, 0,
                how + " until the new cluster's rw endpoint accepts a connection: the provisioner fetches the data from the"
                        + " backup service (download, gunzip, untar into the new PGDATA), PostgreSQL replays the WAL from the"
                        + " archive through restore_command and is promoted, endpoints set up"));
        log("pgpilot restore in %.1f s", s);
        pgpilotRestoreFiles(backupId);
        String rw = (String) ((Map<String, Object>) platform.status(RESTORED).get("endpoints")).get(RESTORED + "-rw");
        String check = "pgpilot restore check failed: no credentials worked";
        for (Properties props : candidateCredentials()) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + rw + "/app", props);
                 Statement st = c.createStatement()) {
                check = "pgpilot restore check: pgbench_accounts has " + queryLong(st, "SELECT count(*) FROM pgbench_accounts")
                        + " rows (expected " + scale * 100_000L + ")";
                break;
            } catch (SQLException e) {
                check = "pgpilot restore check failed: " + e.getMessage();
            }
        }
        notes.add(check);
    }

    /**
     * The same files-only measurement as barman-cloud-restore: the backup service's recovery data endpoint (what the
     * provisioner reads) streamed into tar -x in an empty directory.
     */
    private void pgpilotRestoreFiles(String backupId) {
        Path target = work.resolve("pgpilot-restore");
        run("mkdir", List.of("install", "-d", "-m", "700", "-o", "postgres", "-g", "postgres", target.toString()), Map.of(), false,
                Duration.ofMinutes(1));
        String url = "http://127.0.0.1:" + platform.settings().backupPort() + "/recovery/" + RESTORED + "/backups/" + backupId + "/data";
        long t = System.nanoTime();
        try {
            // the restored cluster's own token, in a 600 curl config file: never on the command line
            Path curlConfig = work.resolve("restore.curl");
            try {
                Files.writeString(curlConfig, "header = \"Authorization: Bearer " + serviceToken(RESTORED + "-wal-token") + "\"\n");
                Files.setPosixFilePermissions(curlConfig, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + curlConfig + ": " + e.getMessage());
            }
            run("pgpilot-restore-files", List.of("bash", "-o", "pipefail", "-c", "curl -K '" + curlConfig + "' -sS -f '" + url
                            + "' | tar -x -C '" + target + "'"),
                    Map.of(), true, Duration.ofMinutes(30));
        } catch (IllegalStateException e) {
            notes.add("pgpilot restore (files): " + e.getMessage());
            return;
        }
        double s = seconds(t);
        figures.add(new Figure("pgpilot", "restore (files)", s, databaseBytes, 0,
                "GET /recovery/" + RESTORED + "/backups/" + backupId + "/data from the backup service (S3 download and gunzip"
                        + " while streaming) piped into tar -x in an empty directory as the postgres OS user (files on disk;"
                        + " PostgreSQL not started)"));
        log("pgpilot restore files in %.1f s", s);
    }

    private void awaitRestored() {
        Waits.until("restored cluster " + RESTORED + " to accept connections", Duration.ofMinutes(10), () -> {
            Map<String, Object> status = platform.status(RESTORED);
            Object endpoints = status.get("endpoints");
            if (!(endpoints instanceof Map<?, ?> map) || map.get(RESTORED + "-rw") == null) {
                return false;
            }
            return accepts(String.valueOf(map.get(RESTORED + "-rw")));
        });
    }

    // ---- barman restore and start ------------------------------------------------------------------

    private void barmanRestore(String backupId, int scale) throws Exception {
        Path target = work.resolve("barman-restore");
        run("mkdir", List.of("install", "-d", "-m", "700", "-o", "postgres", "-g", "postgres", target.toString()), Map.of(), false,
                Duration.ofMinutes(1));
        long t = System.nanoTime();
        barman("barman-restore", List.of("barman-cloud-restore", "--cloud-provider", "aws-s3", "--endpoint-url", endpoint(),
                "s3://" + BUCKET + "/" + BARMAN_PREFIX, CLUSTER, backupId, target.toString()));
        double files = seconds(t);
        figures.add(new Figure("barman-cloud", "restore (files)", files, databaseBytes, 0,
                "barman-cloud-restore of barman's backup into an empty directory as the postgres OS user: download,"
                        + " gunzip, untar (files on disk; PostgreSQL not started)"));
        log("barman-cloud-restore in %.1f s", files);

        // start it as a recovering server: WAL of the backup from the archive (pgpilot's, barman layout), stop at consistency
        int port = FreePorts.next();
        Path sock = work.resolve("barman-sock");
        run("mkdir", List.of("install", "-d", "-m", "700", "-o", "postgres", "-g", "postgres", sock.toString()), Map.of(), false,
                Duration.ofMinutes(1));
        String restore = "barman-cloud-wal-restore --cloud-provider aws-s3 --endpoint-url " + endpoint() + " s3://" + BUCKET + "/"
                + PGPILOT_PREFIX + " " + CLUSTER + " %f %p";
        String overrides = String.join("\n",
                "port = " + port,
                "unix_socket_directories = '" + sock + "'",
                "archive_mode = off",
                "archive_command = ''",
                "primary_conninfo = ''",
                "log_directory = '" + target.resolve("log") + "'",
                "restore_command = '" + restore + "'",
                "recovery_target = 'immediate'",
                "recovery_target_action = 'promote'") + "\n";
        Path autoConf = target.resolve("postgresql.auto.conf");
        Files.writeString(autoConf, overrides, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(target.resolve("recovery.signal"), "");
        Files.deleteIfExists(target.resolve("standby.signal"));
        run("chown-restore", List.of("chown", "-R", "postgres:postgres", target.toString()), Map.of(), false, Duration.ofMinutes(1));
        t = System.nanoTime();
        run("barman-restore-start", List.of(PG_BIN.resolve("pg_ctl").toString(), "-D", target.toString(), "-l",
                sock.resolve("startup.log").toString(), "-w", "-t", "900", "start"), s3Env, true, Duration.ofMinutes(16));
        double started = seconds(t);
        figures.add(new Figure("barman-cloud", "restore (files + start)", files + started, databaseBytes, 0,
                "the files above, then pg_ctl start -w on them with recovery.signal, restore_command ="
                        + " barman-cloud-wal-restore (the backup's WAL from the archive), recovery_target = immediate, promote:"
                        + " until PostgreSQL accepts connections"));
        log("restored barman backup started in %.1f s (files + start %.1f s)", started, files + started);
        Properties props = credentials(CLUSTER, "superuser");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/app", props);
             Statement st = c.createStatement()) {
            long rows = queryLong(st, "SELECT count(*) FROM pgbench_accounts");
            notes.add("barman restore check: pgbench_accounts has " + rows + " rows (expected " + scale * 100_000L + ")");
        } catch (SQLException e) {
            notes.add("barman restore check failed: " + e.getMessage());
        } finally {
            run("barman-restore-stop", List.of(PG_BIN.resolve("pg_ctl").toString(), "-D", target.toString(), "-m", "fast", "-w",
                    "stop"), Map.of(), true, Duration.ofMinutes(2));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void barman(String label, List<String> command) {
        run(label, command, s3Env, true, Duration.ofMinutes(30));
    }

    /** Runs a command (as the postgres OS user when asked), output appended to logs/bench-<label>.log; fails on non-zero exit. */
    private void run(String label, List<String> command, Map<String, String> env, boolean asPostgres, Duration timeout) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path logFile = home.resolve("logs").resolve("bench-" + label + ".log");
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(full).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(label + " timed out after " + timeout + ", see " + logFile);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(label + " exited with " + process.exitValue() + ", see " + logFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private final java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();

    /** A token the platform generated under secrets/ (read, never printed). */
    private String serviceToken(String name) {
        try {
            return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(name + ".json")), Map.class).get("token");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private HttpResponse<String> http(String method, String url) {
        return http(method, url, null);
    }

    private HttpResponse<String> http(String method, String url, String json) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30));
            if (url.startsWith("http://127.0.0.1:" + platform.settings().backupPort() + "/")) {
                // the backup service's own endpoints want the platform's internal service token (docs/security.md)
                request.header("Authorization", "Bearer " + serviceToken("pgpilot-internal-token"));
            }
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            return client.send(request.method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String endpoint() {
        return platform.objectStore().endpointUrl();
    }

    @SuppressWarnings("unchecked")
    private String rw() {
        return ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
    }

    private Path instanceDir() {
        return home.resolve("clusters").resolve(CLUSTER).resolve(CLUSTER + "-1");
    }

    private Path pgdata() {
        return instanceDir().resolve("pgdata");
    }

    @SuppressWarnings("unchecked")
    private int instancePort() throws IOException {
        return ((Number) Json.MAPPER.readValue(Files.readString(instanceDir().resolve("instance.json")), Map.class).get("port")).intValue();
    }

    @SuppressWarnings("unchecked")
    private String secret(String kind) throws IOException {
        return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-" + kind + ".json")), Map.class)
                .get("password");
    }

    @SuppressWarnings("unchecked")
    private Properties credentials(String cluster, String kind) throws IOException {
        Map<String, Object> secret = Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(cluster + "-" + kind + ".json")),
                Map.class);
        Properties props = new Properties();
        props.setProperty("user", String.valueOf(secret.getOrDefault("username", kind.equals("superuser") ? "postgres" : "app")));
        props.setProperty("password", (String) secret.get("password"));
        return props;
    }

    /** The restored cluster's own secrets if it has them, then the source cluster's (the restored roles keep their passwords). */
    private List<Properties> candidateCredentials() {
        List<Properties> all = new ArrayList<>();
        for (String cluster : List.of(RESTORED, CLUSTER)) {
            for (String kind : List.of("app", "superuser")) {
                try {
                    all.add(credentials(cluster, kind));
                } catch (IOException e) {
                    // no such secret
                }
            }
        }
        return all;
    }

    /** Whether a PostgreSQL server answers at host:port and accepts a login (an authentication refusal also proves it is up). */
    private boolean accepts(String hostPort) {
        boolean refusedLogin = false;
        for (Properties props : candidateCredentials()) {
            props.setProperty("connectTimeout", "2");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/app", props)) {
                return c.isValid(2);
            } catch (SQLException e) {
                if (!"28P01".equals(e.getSQLState()) && !"28000".equals(e.getSQLState())) {
                    return false; // refused, starting up, in recovery: not yet
                }
                refusedLogin = true;
            }
        }
        return refusedLogin;
    }

    private Connection superuser() throws IOException, SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + instancePort() + "/app", credentials(CLUSTER, "superuser"));
    }

    private static List<String> readySegments(Statement st) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name FROM pg_ls_archive_statusdir() WHERE name ~ '^[0-9A-F]{24}[.]ready$' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1).substring(0, 24));
            }
        }
        return names;
    }

    private static long queryLong(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Sum of the sizes of the objects under a prefix (only those of the given WAL names when not null). */
    private long storedBytes(String prefix, List<String> walNames) {
        try (S3Client s3 = platform.objectStore().client()) {
            long total = 0;
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
                String file = o.key().substring(o.key().lastIndexOf('/') + 1);
                if (walNames == null || (file.length() >= 24 && walNames.contains(file.substring(0, 24)) && !file.contains(".backup"))) {
                    total += o.size();
                }
            }
            return total;
        }
    }

    /** The backup id directory under a barman base/ prefix (there is exactly one). */
    private String onlyBackupId(String basePrefix) {
        try (S3Client s3 = platform.objectStore().client()) {
            List<String> ids = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(basePrefix).delimiter("/")).commonPrefixes().stream()
                    .map(p -> p.prefix().substring(basePrefix.length()).replace("/", "")).toList();
            if (ids.size() != 1) {
                throw new IllegalStateException("expected one backup under " + basePrefix + ", found " + ids);
            }
            return ids.getFirst();
        }
    }

    private static String firstString(Map<String, Object> map, String... keys) {
        for (String key : keys) {
            if (map.get(key) != null) {
                return String.valueOf(map.get(key));
            }
        }
        return null;
    }

    /** The 1-minute load average when a figure was taken (the machine may be shared with other runs). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.out.println("backup-bench: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "backup-bench: " + format + "%n", args);
    }

    // ---- report ---------------------------------------------------------------------------------

    String report(int scale, double totalSeconds) {
        StringBuilder out = new StringBuilder();
        out.append("# pgpilot backup benchmark: pgpilot vs barman-cloud (gzip)\n\n");
        out.append(String.format(Locale.ROOT, "- run: %s, %d cores, whole run %.0f s; local S3: Ceph RGW (memstore OSD) on loopback,"
                        + " bucket %s (object lock); pgpilot under s3://%s/%s/, barman-cloud under s3://%s/%s/%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), totalSeconds, BUCKET, BUCKET, PGPILOT_PREFIX, BUCKET, BARMAN_PREFIX));
        out.append(String.format(Locale.ROOT, "- data: 1-instance cluster (PostgreSQL 15), pgbench -i -s %d through the rw endpoint as the"
                + " app user (%.0f MB after the load); before the base backups pg_database_size('app') = %d bytes (%.0f MB; all databases"
                + " %.0f MB); WAL: %d segments of 16 MiB (%.0f MB), from the load and from UPDATEs of pgbench_accounts%n",
                scale, loadedBytes / MB, databaseBytes, databaseBytes / MB, clusterBytes / MB, segments, segments * SEGMENT_BYTES / MB));
        out.append("- MB = 10^6 bytes; MB/s = uncompressed bytes (database size for backup and restore, 16 MiB per segment for WAL)"
                + " / wall seconds; stored = bytes in S3 after compression; barman-cloud-cli " + barmanVersion() + "\n\n");
        out.append("| operation | side | wall s | MB/s | segments/s | stored MB | stored / original | load avg at end |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Figure f : figures) {
            boolean wal = f.what().equals("WAL archiving");
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %s | %s | %s |%n", f.what(), f.side(), f.seconds(),
                    f.mbPerSecond(), wal ? String.format(Locale.ROOT, "%.2f", segments / f.seconds()) : "",
                    f.storedBytes() > 0 ? String.format(Locale.ROOT, "%.1f", f.storedBytes() / MB) : "",
                    f.storedBytes() > 0 ? String.format(Locale.ROOT, "%.3f", (double) f.storedBytes() / f.bytes()) : "", f.load()));
        }
        out.append("\nRatios (pgpilot / barman-cloud throughput; > 1 is pgpilot faster):\n\n");
        for (String what : List.of("WAL archiving", "base backup")) {
            Figure p = find("pgpilot", what);
            Figure b = find("barman-cloud", what);
            out.append("- ").append(what).append(": ").append(p != null && b != null
                    ? String.format(Locale.ROOT, "%.2fx", b.seconds() / p.seconds()) : "not measured (see notes)").append('\n');
        }
        Figure pf = find("pgpilot", "restore (files)");
        Figure pr = find("pgpilot", "restore (new cluster)");
        Figure bf = find("barman-cloud", "restore (files)");
        Figure bs = find("barman-cloud", "restore (files + start)");
        out.append("- restore, files only: ").append(pf != null && bf != null
                ? String.format(Locale.ROOT, "pgpilot %.1f s vs barman-cloud %.1f s (%.2fx)", pf.seconds(), bf.seconds(),
                bf.seconds() / pf.seconds()) : "not measured on both sides (see notes)").append('\n');
        out.append("- restore to a server accepting connections: ").append(pr != null && bs != null
                ? String.format(Locale.ROOT, "pgpilot %.1f s (new cluster through the API) vs barman-cloud %.1f s (files + pg_ctl start)",
                pr.seconds(), bs.seconds()) : "not measured on both sides (see notes)").append('\n');
        out.append("\nWhat each figure includes:\n\n");
        for (Figure f : figures) {
            out.append("- ").append(f.side()).append(", ").append(f.what()).append(": ").append(f.includes()).append('\n');
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n\n");
            for (String note : notes) {
                out.append("- ").append(note).append('\n');
            }
        }
        return out.toString();
    }

    private Figure find(String side, String what) {
        return figures.stream().filter(f -> f.side().equals(side) && f.what().equals(what)).findFirst().orElse(null);
    }

    private static String barmanVersion() {
        try {
            Process p = new ProcessBuilder("barman-cloud-backup", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v.replace("barman-cloud-backup", "").trim();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
