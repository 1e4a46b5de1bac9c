package io.pgpilot.backup;

import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.ScheduledBackupSpecRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.model.BackupDefinitions;
import io.pgpilot.model.BackupManifest;
import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.PoolerManifest;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scheduled base backups, 6-field cron in UTC: a cluster's own {@code spec.backup.schedule} and
 * CloudNativePG {@code ScheduledBackup} manifests (topic {@code pgpilot.scheduledbackup.specs}).
 * Checks every second which are due and starts their backup; a fire time that finds a backup still
 * running is skipped (logged), the next one is computed from now. Each backup a ScheduledBackup
 * fires becomes a Backup object {@code <name>-<yyyyMMddHHmmss>} (topic {@code pgpilot.backup.objects});
 * {@code immediate: true} fires once at once when the schedule has no Backup object yet (so a restart
 * of this service never fires it twice); {@code suspend: true} fires nothing.
 */
@Service
public class BackupScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final Duration IMMEDIATE_RETRY = Duration.ofSeconds(30);

    private final BackupCatalog catalog;
    private final BaseBackupService backups;
    private final PlatformProperties platform;
    private final EventBus bus;
    private final Clock clock = Clock.systemUTC();
    private final ScheduleClock schedules = new ScheduleClock();
    private final KeyedView<ScheduledBackupSpecRecord> scheduledBackups = new KeyedView<>(ScheduledBackupSpecRecord.class);
    private final KeyedView<BackupObjectRecord> backupObjects = new KeyedView<>(BackupObjectRecord.class);
    /** When an immediate backup was last tried, per ScheduledBackup (a refused one is tried again later). */
    private final Map<String, Instant> immediateTried = new HashMap<>();
    private KeyedViewFeed feed;
    private ScheduledExecutorService timer;
    private volatile boolean running;

    BackupScheduler(BackupCatalog catalog, BaseBackupService backups, PlatformProperties platform, EventBus bus) {
        this.catalog = catalog;
        this.backups = backups;
        this.platform = platform;
        this.bus = bus;
    }

    @Override
    public void start() {
        feed = new KeyedViewFeed(platform.kafkaBootstrapServers(), "backup-schedules",
                Map.of(Topics.SCHEDULED_BACKUP_SPECS, scheduledBackups, Topics.BACKUP_OBJECTS, backupObjects)).start();
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("backup-schedule").daemon().factory());
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        running = true;
    }

    synchronized void tick() {
        if (!caughtUp()) {
            return; // never fire an immediate backup before knowing which Backup objects exist
        }
        Instant now = clock.instant();
        Set<String> keys = new HashSet<>();
        catalog.plans().forEach((cluster, plan) -> {
            if (plan.schedule() != null) {
                keys.add(cluster);
                if (schedules.due(cluster, plan.schedule(), now)) {
                    fire(cluster, "schedule", null, null, now);
                }
            }
        });
        scheduledBackups.all().forEach((name, spec) -> {
            BackupDefinitions.ScheduledBackup schedule;
            try {
                schedule = BackupDefinitions.validate(spec.manifest());
            } catch (RuntimeException e) {
                log.error("scheduledbackup={} refused: {}", name, e.getMessage());
                return;
            }
            if (schedule.suspend()) {
                return;
            }
            String key = "scheduledbackup/" + name;
            keys.add(key);
            boolean due = schedules.due(key, schedule.schedule().expression(), now);
            if (!due && schedule.immediate() && !hasBackups(name) && retryDue(name, now)) {
                immediateTried.put(name, now);
                due = true;
            }
            if (due) {
                fire(schedule.cluster(), "scheduledbackup:" + name, schedule, spec, now);
            }
        });
        schedules.retain(keys);
        immediateTried.keySet().retainAll(scheduledBackups.all().keySet());
    }

    private boolean caughtUp() {
        try {
            return feed.awaitCaughtUp(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean hasBackups(String scheduledBackup) {
        return backupObjects.all().values().stream().anyMatch(b -> scheduledBackup.equals(b.scheduledBackup()));
    }

    private boolean retryDue(String name, Instant now) {
        Instant tried = immediateTried.get(name);
        return tried == null || !now.isBefore(tried.plus(IMMEDIATE_RETRY));
    }

    private void fire(String cluster, String requestedBy, BackupDefinitions.ScheduledBackup schedule, ScheduledBackupSpecRecord spec,
                      Instant now) {
        if (catalog.plan(cluster) == null) {
            log.warn("cluster={} scheduled backup ({}) skipped: the cluster has no backup plan", cluster, requestedBy);
            return;
        }
        if (catalog.hibernated(cluster)) {
            log.info("cluster={} scheduled backup ({}) skipped: the cluster is hibernated", cluster, requestedBy);
            return;
        }
        BaseBackupStatus started;
        try {
            started = backups.start(cluster, requestedBy, schedule == null ? null : schedule.target());
            log.info("cluster={} scheduled backup {} started ({})", cluster, started.backupId(), requestedBy);
        } catch (RuntimeException e) {
            log.warn("cluster={} scheduled backup ({}) not started: {}", cluster, requestedBy, e.getMessage());
            return;
        }
        if (schedule != null) {
            String name = schedule.name() + "-" + SUFFIX.format(now);
            var source = spec.manifest();
            var manifest = new BackupManifest(ClusterManifest.API_VERSION, BackupManifest.KIND,
                    new ClusterManifest.Metadata(name, source.metadata().namespace(), Map.of("cnpg.io/scheduled-backup", schedule.name()), null),
                    new BackupManifest.BackupSpec(new PoolerManifest.ClusterReference(cluster), BackupDefinitions.METHOD, schedule.target(), null));
            BackupObjectRecord record = new BackupObjectRecord(manifest, cluster, started.backupId(), schedule.name(),
                    schedule.backupOwnerReference(), now);
            try {
                bus.publish(Topics.BACKUP_OBJECTS, name, record);
                backupObjects.accepted(name, record);
            } catch (EventBus.PublishException e) {
                log.warn("cluster={} backup object {} for backup {} not recorded: {}", cluster, name, started.backupId(), e.getMessage());
            }
        }
    }

    /** The next fire time per schedule: the cluster's name for spec.backup.schedule, scheduledbackup/NAME (for GET /schedules). */
    synchronized Map<String, Instant> nextFireTimes() {
        return schedules.nextFireTimes();
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (feed != null) {
            feed.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
