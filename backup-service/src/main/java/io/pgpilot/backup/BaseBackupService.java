package io.pgpilot.backup;

import io.pgpilot.support.security.SecretFiles;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Lsn;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.Names;
import io.pgpilot.support.metrics.Meters;
import io.pgpilot.support.metrics.MetricCatalog;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Base backups: {@code pg_basebackup -Ft -X none -D -} from the chosen instance, streamed through
 * compression and optional client-side encryption into an S3 multipart upload (nothing staged on
 * disk, two parts in memory), then the end WAL forced out of the primary ({@code pg_switch_wal()})
 * and awaited in the bucket, and only then {@code backup.info} with status DONE, in barman-cloud's
 * layout ({@code base/<backupId>/data.tar[.gz]} and {@code backup.info}). Every object gets the
 * COMPLIANCE retention of its window when the bucket has object lock. One backup per cluster at a
 * time; progress in the status and in {@code backup.progress} events.
 */
@Service
public class BaseBackupService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BaseBackupService.class);
    private static final String SOURCE = "backup-service";
    static final DateTimeFormatter BACKUP_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** Refusals before a backup starts; the message says why. */
    public static final class BackupRefusedException extends RuntimeException {
        public enum Reason { RUNNING, NO_SOURCE, NOT_FOUND }

        private final Reason reason;

        BackupRefusedException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** A backup in progress or finished since this service started. */
    private static final class Run {
        final String cluster;
        final String backupId;
        final BackupSource.Chosen source;
        final Instant startedAt;
        final AtomicLong bytes = new AtomicLong();
        volatile MultipartOutputStream upload;
        volatile String status = BaseBackupStatus.RUNNING;
        volatile String phase = "streaming";
        volatile Instant completedAt;
        volatile Long estimatedBytes;
        volatile long storedBytes;
        volatile String beginLsn;
        volatile String endLsn;
        volatile String beginWal;
        volatile String endWal;
        volatile Integer timeline;
        volatile String error;
        volatile String key;
        final String compression;
        final boolean encrypted;

        Run(String cluster, String backupId, BackupSource.Chosen source, Instant startedAt, String compression, boolean encrypted) {
            this.cluster = cluster;
            this.backupId = backupId;
            this.source = source;
            this.startedAt = startedAt;
            this.compression = compression;
            this.encrypted = encrypted;
        }

        long stored() {
            MultipartOutputStream u = upload;
            return u == null ? storedBytes : Math.max(storedBytes, u.uploadedBytes());
        }

        BaseBackupStatus snapshot() {
            Instant end = completedAt == null ? Instant.now() : completedAt;
            double seconds = Math.max(0.001, Duration.between(startedAt, end).toMillis() / 1000.0);
            return new BaseBackupStatus(cluster, backupId, status, BaseBackupStatus.RUNNING.equals(status) ? phase : null,
                    source.instance(), source.replica() ? "replica" : "primary", startedAt, completedAt, bytes.get(), stored(),
                    estimatedBytes, beginLsn, endLsn, beginWal, endWal, timeline, compression, encrypted, key, error,
                    Math.round(bytes.get() / seconds / 1e4) / 100.0, "pgpilot");
        }
    }

    private final WalService wal;
    private final BackupCatalog catalog;
    private final ClusterStateView state;
    private final EventBus bus;
    private final SecretFiles secrets;
    private final BaseBackupProperties properties;
    private final String kmsKeyId;
    private final Path home;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, String> lastIds = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("base-backup-", 0).factory());
    private PgBaseBackup pgBaseBackup;
    private final MeterRegistry meters;

    BaseBackupService(WalService wal, BackupCatalog catalog, ClusterStateView state, EventBus bus, PlatformProperties platform,
                      BaseBackupProperties properties, BackupProperties backupProperties, MeterRegistry meters) {
        this.meters = meters;
        this.wal = wal;
        this.catalog = catalog;
        this.state = state;
        this.bus = bus;
        this.secrets = new SecretFiles(platform.home());
        this.properties = properties;
        this.kmsKeyId = backupProperties.kmsKeyId() == null || backupProperties.kmsKeyId().isBlank() ? null : backupProperties.kmsKeyId();
        this.home = platform.home().toAbsolutePath();
    }

    private synchronized PgBaseBackup pgBaseBackup() {
        if (pgBaseBackup == null) {
            PostgresBinaries binaries = properties.pgBin() == null || properties.pgBin().isBlank() ? PostgresBinaries.detect()
                    : new PostgresBinaries(Path.of(properties.pgBin()));
            pgBaseBackup = new PgBaseBackup(binaries, OsUser.forPostgres(properties.osUser()), home.resolve("backups").resolve("work"));
        }
        return pgBaseBackup;
    }

    // ---- API -----------------------------------------------------------------------------------

    /** Starts a base backup of the cluster; returns at once with its id (the work goes on in the background). */
    public BaseBackupStatus start(String cluster, String requestedBy) {
        return start(cluster, requestedBy, null);
    }

    /** {@code target}: primary or prefer-standby (a Backup's {@code spec.target}); null: the cluster's {@code backup.target}. */
    public BaseBackupStatus start(String cluster, String requestedBy, String target) {
        requireCluster(cluster);
        BackupPlan plan = wal.plan(cluster);
        BackupSource.Choice choice = BackupSource.choose(target != null ? target : plan.target(), state.topology(cluster), state.instances(cluster),
                state.heartbeats(cluster), clock.instant());
        if (choice instanceof BackupSource.NoSource none) {
            throw new BackupRefusedException(BackupRefusedException.Reason.NO_SOURCE, "no instance to back up: " + none.reason());
        }
        BackupSource.Chosen source = (BackupSource.Chosen) choice;
        Compression compression = plan.dataCompressionCodec();
        if (!compression.supported()) {
            throw new UnsupportedOperationException("data compression " + compression.manifestName() + " is not supported (use gzip, zstd or lz4)");
        }
        Run run;
        synchronized (runs) {
            Run current = runs.values().stream().filter(r -> r.cluster.equals(cluster) && BaseBackupStatus.RUNNING.equals(r.status))
                    .findFirst().orElse(null);
            if (current != null) {
                throw new BackupRefusedException(BackupRefusedException.Reason.RUNNING,
                        "backup " + current.backupId + " of " + cluster + " is still running");
            }
            String id = nextId(cluster, plan);
            run = new Run(cluster, id, source, clock.instant(), compression.manifestName(), plan.encryptionSecret() != null);
            runs.put(cluster + "/" + id, run);
        }
        log.info("cluster={} backup {} starting from {} ({}), requested by {}", cluster, run.backupId, source.instance(),
                source.reason(), requestedBy);
        publish(cluster, "backup.started", source.instance(), Map.of("backupId", run.backupId, "source", source.instance(),
                "sourceRole", source.replica() ? "replica" : "primary", "reason", source.reason(),
                "requestedBy", String.valueOf(requestedBy)));
        final Run started = run;
        executor.submit(() -> execute(started, plan));
        return run.snapshot();
    }

    /** Running and finished backups of a cluster: this service's runs and every backup in the bucket, oldest first. */
    public List<BaseBackupStatus> list(String cluster) {
        requireCluster(cluster);
        BackupPlan plan = wal.plan(cluster);
        Map<String, BaseBackupStatus> result = new LinkedHashMap<>();
        for (StoredBackups.Stored s : StoredBackups.list(wal.store(plan), plan)) {
            result.put(s.info().backupId(), stored(cluster, s));
        }
        runs.values().stream().filter(r -> r.cluster.equals(cluster)).forEach(r -> result.put(r.backupId, r.snapshot()));
        List<BaseBackupStatus> list = new ArrayList<>(result.values());
        list.sort(Comparator.comparing(BaseBackupStatus::backupId));
        return list;
    }

    public Optional<BaseBackupStatus> get(String cluster, String backupId) {
        requireCluster(cluster);
        BarmanLayout.requireBackupId(backupId);
        Run run = runs.get(cluster + "/" + backupId);
        if (run != null) {
            return Optional.of(run.snapshot());
        }
        BackupPlan plan = wal.plan(cluster);
        return StoredBackups.find(wal.store(plan), plan, backupId).map(s -> stored(cluster, s));
    }

    static BaseBackupStatus stored(String cluster, StoredBackups.Stored s) {
        BackupInfo i = s.info();
        String status = i.done() ? BaseBackupStatus.COMPLETED : BackupInfo.FAILED.equals(i.status()) ? BaseBackupStatus.FAILED
                : i.status().toLowerCase();
        return new BaseBackupStatus(cluster, i.backupId(), status, null, null, null, i.beginTime(), i.endTime(), i.size(),
                s.storedBytes(), null, i.beginXlog(), i.endXlog(), i.beginWal(), i.endWal(), i.timeline() == 0 ? null : i.timeline(),
                s.data() == null ? i.compression() : s.data().compression().manifestName(), s.data() == null ? null : s.data().encrypted(),
                s.data() == null ? null : s.data().key(), i.error(), null, null);
    }

    // ---- the work ------------------------------------------------------------------------------

    private void execute(Run run, BackupPlan plan) {
        String cluster = run.cluster;
        S3ObjectStore store = null;
        Instant retainUntil = null;
        ServerFacts facts = null;
        try {
            store = wal.store(plan);
            Instant now = clock.instant();
            retainUntil = store.objectLockEnabled(plan.bucket()) ? plan.retainUntil(now) : null;
            facts = serverFacts(cluster, run.source.port());
            run.estimatedBytes = facts.databaseBytes();
            ClientEncryption encryption = wal.encryption(plan);
            Compression compression = plan.dataCompressionCodec();
            String key = plan.layout().dataKey(run.backupId, compression, encryption != null);
            run.key = key;
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("pgpilot-backup-id", run.backupId);
            metadata.put("pgpilot-source", run.source.instance());
            ObjectStore.MultipartUpload upload = store.startMultipart(plan.bucket(), key,
                    new ObjectStore.PutOptions(metadata, plan.dataEncryption(), kmsKeyId, retainUntil));
            MultipartOutputStream parts = new MultipartOutputStream(upload, properties.partSizeBytes());
            run.upload = parts;
            TarScanner.Points points;
            try (PgBaseBackup.Running basebackup = pgBaseBackup().start(run.source.port(), secret(cluster, "replication", "username"),
                    secret(cluster, "replication", "password"), "pgpilot " + run.backupId,
                    home.resolve("clusters").resolve(cluster).resolve(run.source.instance()).resolve("tls"))) {
                Thread progress = Thread.ofVirtual().start(() -> progressLoop(run));
                TarScanner scanner = new TarScanner();
                // from a standby, the server waits at the end until the end WAL is archived (archive_mode always):
                // the primary must switch WAL for that, not archive_timeout a minute later
                Thread nudger = run.source.replica() ? Thread.ofVirtual().start(() -> nudgeAtEnd(run, scanner)) : null;
                try {
                    OutputStream sink = parts;
                    if (encryption != null) {
                        sink = encryption.encrypting(sink, run.backupId + "/data.tar");
                    }
                    try {
                        sink = compression.compressing(sink);
                    } catch (IOException e) {
                        parts.abort();
                        throw new java.io.UncheckedIOException(e);
                    }
                    try (InputStream tar = new CountingInput(basebackup.tar(), run.bytes, scanner)) {
                        tar.transferTo(sink);
                        basebackup.await(properties.timeout());
                        points = scanner.points();
                        run.phase = "completing upload";
                        sink.close(); // the last part and CompleteMultipartUpload: the object exists from here
                    } catch (IOException | RuntimeException e) {
                        parts.abort();
                        String tail = basebackup.tail();
                        throw new IllegalStateException(e.getMessage() + (tail.isBlank() ? "" : " (pg_basebackup: " + tail + ")"), e);
                    }
                } finally {
                    progress.interrupt();
                    if (nudger != null) {
                        nudger.interrupt();
                    }
                }
            }
            run.storedBytes = parts.uploadedBytes();
            run.upload = null;
            run.timeline = points.timeline();
            run.beginLsn = Lsn.format(points.startLsn());
            run.endLsn = Lsn.format(points.endLsn());
            run.beginWal = WalPosition.segmentOf(points.timeline(), points.startLsn(), facts.segmentSize());
            run.endWal = WalPosition.segmentEnding(points.endTimeline(), points.endLsn(), facts.segmentSize());
            log.info("cluster={} backup {} streamed: {} bytes read, {} stored in {} parts; waiting for WAL {}", cluster, run.backupId,
                    run.bytes.get(), run.storedBytes, parts.parts(), run.endWal);
            run.phase = "waiting-for-wal";
            awaitEndWal(run, plan, store);
            run.phase = "finishing";
            run.completedAt = clock.instant();
            BackupInfo info = info(run, facts, BackupInfo.DONE, null, plan);
            store.put(plan.bucket(), plan.layout().backupInfoKey(run.backupId), info.render(),
                    new ObjectStore.PutOptions(Map.of("pgpilot-backup-id", run.backupId), plan.dataEncryption(), kmsKeyId,
                            retainUntil == null ? null : plan.retainUntil(run.completedAt)));
            run.status = BaseBackupStatus.COMPLETED;
            BaseBackupStatus done = run.snapshot();
            log.info("cluster={} backup {} completed: {} bytes ({} stored) from {} in {} s ({} MB/s), WAL {}..{}", cluster, run.backupId,
                    done.bytes(), done.storedBytes(), run.source.instance(),
                    Duration.between(run.startedAt, run.completedAt).toMillis() / 1000.0, done.mbPerSecond(), run.beginWal, run.endWal);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("backupId", run.backupId);
            data.put("bytes", done.bytes());
            data.put("storedBytes", done.storedBytes());
            data.put("beginLsn", run.beginLsn);
            data.put("endLsn", run.endLsn);
            data.put("beginWal", run.beginWal);
            data.put("endWal", run.endWal);
            data.put("seconds", Duration.between(run.startedAt, run.completedAt).toMillis() / 1000.0);
            data.put("mbPerSecond", done.mbPerSecond());
            publish(cluster, "backup.completed", run.source.instance(), data);
            Meters.set(meters, MetricCatalog.BACKUP_LAST_SUCCESS, run.completedAt.getEpochSecond(), cluster);
        } catch (RuntimeException e) {
            fail(run, plan, store, facts, retainUntil, e);
        }
    }

    private void fail(Run run, BackupPlan plan, S3ObjectStore store, ServerFacts facts, Instant retainUntil, RuntimeException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (run.upload != null) {
            run.upload.abort();
        }
        run.error = reason;
        run.completedAt = clock.instant();
        run.status = BaseBackupStatus.FAILED;
        log.error("cluster={} backup {} failed: {}", run.cluster, run.backupId, reason);
        if (store != null) {
            try {
                // as barman-cloud: a FAILED backup.info says what happened (barman-cloud-backup-list skips it)
                store.put(plan.bucket(), plan.layout().backupInfoKey(run.backupId), info(run, facts, BackupInfo.FAILED, reason, plan).render(),
                        new ObjectStore.PutOptions(Map.of("pgpilot-backup-id", run.backupId), plan.dataEncryption(), kmsKeyId,
                                retainUntil == null ? null : plan.retainUntil(run.completedAt)));
            } catch (RuntimeException ignored) {
                log.warn("cluster={} backup {}: the FAILED backup.info could not be written either", run.cluster, run.backupId);
            }
        }
        publish(run.cluster, "backup.failed", run.source.instance(), Map.of("backupId", run.backupId, "reason", reason));
    }

    private BackupInfo info(Run run, ServerFacts facts, String status, String error, BackupPlan plan) {
        long segment = facts == null ? 16L * 1024 * 1024 : facts.segmentSize();
        return new BackupInfo(run.backupId, status, facts == null ? 0 : facts.version(), facts == null ? null : facts.dataDirectory(),
                run.timeline == null ? 0 : run.timeline, run.startedAt, run.beginLsn, run.beginWal,
                run.beginLsn == null ? 0 : WalPosition.offset(Lsn.parse(run.beginLsn), segment), run.completedAt, run.endLsn, run.endWal,
                run.endLsn == null ? 0 : WalPosition.offset(Lsn.parse(run.endLsn), segment), run.bytes.get(),
                facts == null ? null : facts.systemId(), segment,
                "none".equals(plan.dataCompression()) ? null : plan.dataCompressionCodec().manifestName(), error, "cloud");
    }

    /** Forces the end WAL out of the primary and waits until it is in the bucket: before that the backup is not restorable. */
    private void awaitEndWal(Run run, BackupPlan plan, S3ObjectStore store) {
        WalFileName end = WalFileName.parse(run.endWal);
        WalArchive archive = wal.walArchive();
        long deadline = System.nanoTime() + properties.endWalTimeout().toNanos();
        long nextSwitch = 0;
        while (archive.variants(store, plan, end).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("WAL " + run.endWal + " (end of the backup) was not archived within "
                        + properties.endWalTimeout().toSeconds() + " s: the backup is not restorable (check archiving)");
            }
            if (System.nanoTime() > nextSwitch) {
                switchWal(run.cluster, run.source.primaryPort());
                nextSwitch = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            }
            sleep(250);
        }
    }

    private void switchWal(String cluster, int primaryPort) {
        try (Connection c = connect(cluster, primaryPort); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                log.info("cluster={} WAL switched on the primary (was writing {})", cluster, rs.getString(1));
            }
        } catch (SQLException e) {
            log.warn("cluster={} pg_switch_wal on the primary failed (SQLState {}); archive_timeout will switch", cluster, e.getSQLState());
        }
    }

    record ServerFacts(int version, long segmentSize, String systemId, String dataDirectory, long databaseBytes) {
    }

    private ServerFacts serverFacts(String cluster, int port) {
        try (Connection c = connect(cluster, port); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, "
                     + "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), "
                     + "(SELECT system_identifier::text FROM pg_control_system()), current_setting('data_directory'), "
                     + "(SELECT sum(pg_database_size(oid))::bigint FROM pg_database)")) {
            rs.next();
            return new ServerFacts(rs.getInt(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read server facts from port " + port + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private Connection connect(String cluster, int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", secret(cluster, "superuser", "username"));
        props.setProperty("password", secret(cluster, "superuser", "password"));
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "pgpilot-backup");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /** The provisioner's secret files {@code <cluster>-superuser.json} / {@code -replication.json}. */
    private String secret(String cluster, String kind, String key) {
        return secrets.value(cluster + "-" + kind, key);
    }

    private void nudgeAtEnd(Run run, TarScanner scanner) {
        try {
            long lastSwitch = 0;
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(300); // poll interval
                if (scanner.pgControlSeen() && System.nanoTime() - lastSwitch > Duration.ofSeconds(10).toNanos()) {
                    switchWal(run.cluster, run.source.primaryPort());
                    lastSwitch = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            // the backup ended
        }
    }

    private void progressLoop(Run run) {
        long every = properties.progressInterval().toMillis();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(every); // the progress interval, not a wait for a condition
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("backupId", run.backupId);
                data.put("bytes", run.bytes.get());
                data.put("storedBytes", run.stored());
                if (run.estimatedBytes != null && run.estimatedBytes > 0) {
                    data.put("estimatedBytes", run.estimatedBytes);
                    data.put("percent", Math.min(100, Math.round(100.0 * run.bytes.get() / run.estimatedBytes)));
                }
                data.put("message", "backup " + run.backupId + ": " + (run.bytes.get() >> 20) + " MiB streamed");
                publish(run.cluster, "backup.progress", run.source.instance(), data);
            }
        } catch (InterruptedException e) {
            // the backup ended
        }
    }

    private String nextId(String cluster, BackupPlan plan) {
        Instant now = clock.instant();
        String id = BACKUP_ID.format(now);
        String last = lastIds.get(cluster);
        List<String> existing;
        try {
            existing = wal.store(plan).list(plan.bucket(), plan.layout().baseListPrefix()).stream()
                    .map(k -> plan.layout().backupIdOf(k)).flatMap(Optional::stream).distinct().toList();
        } catch (RuntimeException e) {
            existing = List.of();
        }
        while ((last != null && id.compareTo(last) <= 0) || existing.contains(id)) {
            now = now.plusSeconds(1);
            id = BACKUP_ID.format(now);
        }
        lastIds.put(cluster, id);
        return id;
    }

    private void publish(String cluster, String type, String instance, Map<String, Object> data) {
        try {
            bus.publish(Topics.EVENTS, cluster, PlatformEvent.of(SOURCE, type, cluster, instance, data));
        } catch (RuntimeException e) {
            log.warn("cluster={} event {} not published: {}", cluster, type, e.getMessage());
        }
    }

    private static void requireCluster(String cluster) {
        if (cluster == null || !Names.CLUSTER.matcher(cluster).matches()) {
            throw new InvalidNameException(InvalidNameException.Reason.WAL_NAME, "'" + Names.printable(cluster) + "' is not a cluster name");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // poll interval while waiting for the end WAL in the bucket
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Counts bytes as they are read. */
    private static final class CountingInput extends FilterInputStream {
        private final AtomicLong counter;
        private final TarScanner scanner;

        CountingInput(InputStream in, AtomicLong counter, TarScanner scanner) {
            super(in);
            this.counter = counter;
            this.scanner = scanner;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counter.addAndGet(n);
                scanner.feed(b, off, n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

}
