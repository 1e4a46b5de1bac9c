package io.pgpilot.backup;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the backup plan of every cluster from the specs topic and announces changes. WAL archiving
 * ({@link WalService}) works from these plans; base backups and restore build on them.
 */
@Component
class BackupCatalog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackupCatalog.class);

    private final PlatformProperties platform;
    private final EventBus bus;
    private final Map<String, BackupPlan> plans = new ConcurrentHashMap<>();
    /** Clusters whose instances are stopped by hibernation: scheduled backups skip them. */
    private final java.util.Set<String> hibernated = ConcurrentHashMap.newKeySet();
    /** Clusters bootstrapped from another cluster's backups: the source store (read only) and the recovery settings. */
    private final Map<String, RecoverySource> recoveries = new ConcurrentHashMap<>();

    /** The object store a cluster recovers from and how ({@code bootstrap.recovery}). */
    record RecoverySource(BackupPlan plan, io.pgpilot.model.ClusterDefinition.RecoveryDefinition recovery) {
    }
    private TopicTailer tailer;
    private volatile boolean running;

    BackupCatalog(PlatformProperties platform, EventBus bus) {
        this.platform = platform;
        this.bus = bus;
    }

    @Override
    public void start() {
        tailer = new TopicTailer(platform.kafkaBootstrapServers(), "backup-service",
                Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING), this::apply).start();
        running = true;
    }

    private void apply(String topic, String cluster, String value) {
        if (value == null) {
            plans.remove(cluster);
            recoveries.remove(cluster);
            hibernated.remove(cluster);
            return;
        }
        var manifest = Json.read(value, ClusterSpecRecord.class).manifest();
        BackupPlan plan;
        try {
            var definition = ManifestValidator.validate(manifest);
            Map<String, String> annotations = manifest.metadata() == null ? Map.of() : manifest.metadata().annotations();
            plan = BackupPlan.of(definition, annotations);
            if (definition.hibernated()) {
                hibernated.add(cluster);
            } else {
                hibernated.remove(cluster);
            }
            if (definition.recovery() != null) {
                recoveries.put(cluster, new RecoverySource(BackupPlan.of(cluster, definition.recovery().store(), annotations),
                        definition.recovery()));
            } else {
                recoveries.remove(cluster);
            }
        } catch (RuntimeException e) {
            // never archive with a half-understood plan (e.g. encryption asked for but its secret name invalid)
            plans.remove(cluster);
            log.error("cluster={} backup plan refused: {}", cluster, e.getMessage());
            return;
        }
        BackupPlan previous = plan == null ? plans.remove(cluster) : plans.put(cluster, plan);
        if (plan != null && !Objects.equals(plan, previous)) {
            log.info("cluster={} backup plan: s3://{}/{} wal compression {} window {}", cluster, plan.bucket(),
                    plan.serverPrefix(), plan.walCompression(), plan.recoveryWindow());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("destination", "s3://" + plan.bucket() + "/" + plan.serverPrefix());
            data.put("walCompression", plan.walCompression());
            data.put("recoveryWindowDays", plan.recoveryWindow() == null ? null : plan.recoveryWindow().toDays());
            try {
                bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("backup-service", "backup.configured", cluster, null, data));
            } catch (EventBus.PublishException e) {
                log.warn("cluster={} event not published: {}", cluster, e.getMessage());
            }
        }
    }

    /** The current plan of a cluster; null when it has none. */
    BackupPlan plan(String cluster) {
        return plans.get(cluster);
    }

    /** The recovery source of a cluster; null when it was not bootstrapped from a backup. */
    RecoverySource recovery(String cluster) {
        return recoveries.get(cluster);
    }

    Map<String, BackupPlan> plans() {
        return Map.copyOf(plans);
    }

    @Override
    public void stop() {
        running = false;
        if (tailer != null) {
            tailer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    boolean hibernated(String cluster) {
        return hibernated.contains(cluster);
    }
}
