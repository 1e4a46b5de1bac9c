package io.pgpilot.backup;

import io.pgpilot.model.CronSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scheduled base backups ({@code spec.backup.schedule}, 6-field cron in UTC, as CloudNativePG's
 * ScheduledBackup): checks every second which clusters are due and starts their backup; a fire
 * time that finds a backup still running is skipped (logged), the next one is computed from now.
 */
@Service
public class BackupScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

    private record Next(String expression, Instant at) {
    }

    private final BackupCatalog catalog;
    private final BaseBackupService backups;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Next> next = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private volatile boolean running;

    BackupScheduler(BackupCatalog catalog, BaseBackupService backups) {
        this.catalog = catalog;
        this.backups = backups;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("backup-schedule").daemon().factory());
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        running = true;
    }

    void tick() {
        Instant now = clock.instant();
        Map<String, BackupPlan> plans = catalog.plans();
        next.keySet().removeIf(c -> !plans.containsKey(c) || plans.get(c).schedule() == null);
        plans.forEach((cluster, plan) -> {
            if (plan.schedule() == null) {
                return;
            }
            Next due = next.get(cluster);
            if (due == null || !due.expression().equals(plan.schedule())) {
                Instant at = CronSchedule.parse(plan.schedule()).next(now);
                next.put(cluster, new Next(plan.schedule(), at));
                log.info("cluster={} next scheduled backup at {} ({})", cluster, at, plan.schedule());
                return;
            }
            if (due.at() != null && !now.isBefore(due.at()) && catalog.hibernated(cluster)) {
                log.info("cluster={} scheduled backup skipped: the cluster is hibernated", cluster);
                next.put(cluster, new Next(plan.schedule(), CronSchedule.parse(plan.schedule()).next(now)));
            } else if (due.at() != null && !now.isBefore(due.at())) {
                try {
                    BaseBackupStatus started = backups.start(cluster, "schedule");
                    log.info("cluster={} scheduled backup {} started", cluster, started.backupId());
                } catch (RuntimeException e) {
                    log.warn("cluster={} scheduled backup not started: {}", cluster, e.getMessage());
                }
                next.put(cluster, new Next(plan.schedule(), CronSchedule.parse(plan.schedule()).next(now)));
            }
        });
    }

    /** The next fire time per cluster (for GET /schedules). */
    Map<String, Instant> nextFireTimes() {
        Map<String, Instant> result = new java.util.TreeMap<>();
        next.forEach((c, n) -> result.put(c, n.at()));
        return result;
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
