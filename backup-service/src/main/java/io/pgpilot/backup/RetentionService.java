package io.pgpilot.backup;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Applies each cluster's recovery window ({@link RetentionPlanner}) periodically
 * ({@code pgpilot.backup.retention-interval}, default 1h): deletes the expired base backups and
 * the WAL no longer needed. A store that refuses a deletion (object lock: the version is still
 * retained) is logged and counted, never forced; the next pass tries again.
 */
@Service
public class RetentionService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    /** What one pass did for one cluster. */
    public record Result(String cluster, int backupsDeleted, int walDeleted, int refused, String anchor) {
    }

    private final BackupCatalog catalog;
    private final WalService wal;
    private final EventBus bus;
    private final Duration interval;
    private final Clock clock;
    private ScheduledExecutorService timer;
    private volatile boolean running;

    @Autowired
    RetentionService(BackupCatalog catalog, WalService wal, EventBus bus,
                     @Value("${pgpilot.backup.retention-interval:1h}") Duration interval) {
        this(catalog, wal, bus, interval, Clock.systemUTC());
    }

    /** With the clock that decides "now" (the window's end): tests run a pass as if days had passed. */
    RetentionService(BackupCatalog catalog, WalService wal, EventBus bus, Duration interval, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
        this.wal = wal;
        this.bus = bus;
        this.interval = interval;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("retention").daemon().factory());
        timer.scheduleWithFixedDelay(this::applyAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    void applyAll() {
        for (String cluster : catalog.plans().keySet()) {
            try {
                apply(cluster);
            } catch (RuntimeException e) {
                log.warn("cluster={} retention pass failed: {}", cluster, e.getMessage());
            }
        }
    }

    /** One pass for one cluster. */
    public Result apply(String cluster) {
        BackupPlan plan = wal.plan(cluster);
        if (plan.recoveryWindow() == null) {
            return new Result(cluster, 0, 0, 0, null);
        }
        ObjectStore store = wal.store(plan);
        Map<String, java.time.Instant> lastWritten = new java.util.HashMap<>();
        for (ObjectStore.ListedObject o : store.listDetailed(plan.bucket(), plan.layout().baseListPrefix())) {
            if (o.lastModified() != null) {
                plan.layout().backupIdOf(o.key()).ifPresent(id -> lastWritten.merge(id, o.lastModified(),
                        (a, b) -> a.isAfter(b) ? a : b));
            }
        }
        List<RetentionPlanner.Backup> backups = StoredBackups.list(store, plan).stream()
                .map(s -> new RetentionPlanner.Backup(s.info().backupId(), s.info().status(), s.info().beginWal(), s.info().endTime(),
                        lastWritten.get(s.info().backupId()))).toList();
        List<RetentionPlanner.WalObject> walObjects = store.listDetailed(plan.bucket(), plan.layout().walsPrefix()).stream()
                .map(o -> new RetentionPlanner.WalObject(o.key(), o.lastModified())).toList();
        RetentionPlanner.Plan decided = RetentionPlanner.plan(backups, walObjects, clock.instant(), plan.recoveryWindow());
        int backupsDeleted = 0;
        int walDeleted = 0;
        int refused = 0;
        for (String id : decided.deleteBackups()) {
            boolean all = true;
            // data first, backup.info last: a half-deleted backup is never listed as complete with missing data
            List<String> keys = store.list(plan.bucket(), plan.layout().baseDirectory(id)).stream()
                    .sorted((a, b) -> Boolean.compare(a.endsWith("/backup.info"), b.endsWith("/backup.info"))).toList();
            for (String key : keys) {
                if (!delete(store, plan, key)) {
                    all = false;
                    refused++;
                }
            }
            backupsDeleted += all ? 1 : 0;
        }
        for (String key : decided.deleteWal()) {
            if (delete(store, plan, key)) {
                walDeleted++;
            } else {
                refused++;
            }
        }
        Result result = new Result(cluster, backupsDeleted, walDeleted, refused, decided.keptAnchor());
        if (!decided.empty()) {
            log.info("cluster={} retention ({} days): {} backups and {} WAL files deleted, {} refused by the store; oldest kept backup {}, "
                    + "WAL from {}", cluster, plan.recoveryWindow().toDays(), backupsDeleted, walDeleted, refused, decided.keptAnchor(),
                    decided.oldestWalKept());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("backupsDeleted", backupsDeleted);
            data.put("walDeleted", walDeleted);
            data.put("refused", refused);
            data.put("oldestBackupKept", decided.keptAnchor());
            try {
                bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("backup-service", "retention.applied", cluster, null, data));
            } catch (RuntimeException e) {
                log.warn("cluster={} event not published: {}", cluster, e.getMessage());
            }
        }
        return result;
    }

    private static boolean delete(ObjectStore store, BackupPlan plan, String key) {
        try {
            store.delete(plan.bucket(), key);
            return true;
        } catch (ObjectStore.StoreException e) {
            log.warn("cluster={} {} not deleted: {}", plan.cluster(), key, e.getMessage());
            return false;
        }
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
