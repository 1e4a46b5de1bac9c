package io.pgpilot.provisioner;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.restore.RecoveryException;
import io.pgpilot.model.ClusterDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import static io.pgpilot.provisioner.ClusterReconciler.SOURCE;

/** Creates a cluster's first instance from a backup ({@code bootstrap.recovery}) through the backup service. */
final class RecoveryBootstrap {

    private static final Logger log = LoggerFactory.getLogger(RecoveryBootstrap.class);

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final InstanceReporter reporter;
    private final String backupServiceUrl;
    /** Roles and database of the recovered primary (the reconciler's step). */
    private final BiConsumer<ClusterDefinition, Integer> ensureDatabase;

    RecoveryBootstrap(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, InstanceReporter reporter,
                      String backupServiceUrl, BiConsumer<ClusterDefinition, Integer> ensureDatabase) {
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
        this.reporter = reporter;
        this.backupServiceUrl = backupServiceUrl;
        this.ensureDatabase = ensureDatabase;
    }

    /** The cluster was deleted: a new incarnation with the same spec tries its recovery again. */
    void forget(String cluster) {
        failedRecoveries.remove(cluster);
    }

    /** Definitions whose recovery failed: not retried until the spec changes (a retry would fail the same way). */
    private final Map<String, ClusterDefinition> failedRecoveries = new ConcurrentHashMap<>();
    private static final java.time.Duration RECOVERY_TIMEOUT = java.time.Duration.ofHours(12);

    /**
     * {@code bootstrap.recovery}: instance 1 from the chosen base backup of the source (through the
     * backup service), archive recovery to the target with WAL from the source's archive, promotion,
     * then the new cluster's passwords. Any failure stops and removes the instance (nothing
     * half-recovered serves) and is reported with its reason (instance FAILED, recovery.failed).
     */
    boolean restorePrimary(ClusterDefinition desired, int ordinal) {
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        if (desired.equals(failedRecoveries.get(cluster))) {
            log.info("cluster={} recovery failed before with this spec: not retried (update or recreate the cluster)", cluster);
            return false;
        }
        if (backupServiceUrl == null || backupServiceUrl.isBlank()) {
            reporter.fail(cluster, ordinal, 0, "bootstrap.recovery needs the backup service (pgpilot.provisioner.backup-service-url)");
            return false;
        }
        int port = 0;
        long started = System.nanoTime();
        try {
            port = postgres.prepare(layout).port();
            reporter.creating(layout, port, "primary", desired.instances());
            RecoveryClient client = new RecoveryClient(backupServiceUrl.replaceAll("/+$", ""),
                    new io.pgpilot.support.security.ServiceTokens(postgres.home())::cluster);
            RecoveryClient.Plan plan = client.plan(cluster);
            var target = desired.recovery().target();
            String targetText = target.time() != null ? "time " + target.time() : target.lsn() != null ? "LSN " + target.lsn()
                    : target.name() != null ? "restore point " + target.name() : target.immediate() ? "consistency" : "end of the archive";
            log.info("cluster={} recovering from backup {} of {} ({}), target {}", cluster, plan.backupId(), desired.recovery().source(),
                    plan.store(), targetText);
            publisher.event(PlatformEvent.of(SOURCE, "recovery.started", cluster, layout.instance(), Map.of("backupId", plan.backupId(),
                    "source", desired.recovery().source(), "target", targetText,
                    "message", "restoring backup " + plan.backupId() + " of " + desired.recovery().source() + " to " + targetText)));
            postgres.restoreBaseBackup(layout, client.data(cluster, plan.backupId()));
            long restoredMs = (System.nanoTime() - started) / 1_000_000;
            Credentials superuser = secrets.superuser(cluster);
            Credentials replication = secrets.replication(cluster);
            postgres.writePassfile(layout, postgres.host(layout), replication);
            // the source store's wal.maxParallel: that many WAL segments fetched at once during replay (CloudNativePG's meaning)
            var sourceStore = desired.recovery().store();
            ConfigRenderer.Recovery recovery = new ConfigRenderer.Recovery(backupServiceUrl.replaceAll("/+$", ""), cluster, target,
                    sourceStore == null ? 1 : sourceStore.walParallelism());
            ManagedSettings base = new ManagedSettings(layout.instance(), port, layout.socketDirectory(), layout.logDirectory(), "", null)
                    .withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl));
            postgres.writeConfig(layout, base.withRecovery(recovery), desired.parameters());
            try {
                postgres.start(layout);
            } catch (ProvisioningException e) {
                String tail = postgres.recoveryLog(layout);
                throw new RecoveryException(RecoveryException.classify(tail), "PostgreSQL stopped during recovery: " + tail);
            }
            postgres.awaitPromotion(layout, RECOVERY_TIMEOUT);
            postgres.resetRolesAfterRecovery(layout, port, superuser, replication, secrets.app(cluster, desired.owner()));
            if (postgres.writeConfig(layout, base, desired.parameters())) {
                postgres.reload(layout);
            }
            ensureDatabase.accept(desired, ordinal);
            long totalMs = (System.nanoTime() - started) / 1_000_000;
            log.info("cluster={} recovered from backup {} in {} ms (base backup restored in {} ms)", cluster, plan.backupId(), totalMs, restoredMs);
            publisher.event(PlatformEvent.of(SOURCE, "recovery.completed", cluster, layout.instance(), Map.of("backupId", plan.backupId(),
                    "target", targetText, "millis", totalMs, "restoreMillis", restoredMs,
                    "message", "recovered from backup " + plan.backupId() + " to " + targetText)));
            failedRecoveries.remove(cluster);
            reporter.created(layout, port, "primary", desired.instances());
            return true;
        } catch (RecoveryException e) {
            recoveryFailed(desired, layout, port, e.reason().name(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            recoveryFailed(desired, layout, port, RecoveryException.Reason.FAILED.name(), e.getMessage());
            return false;
        }
    }

    private void recoveryFailed(ClusterDefinition desired, InstanceLayout layout, int port, String reason, String message) {
        String cluster = desired.name();
        try {
            postgres.discard(layout);
        } catch (RuntimeException e) {
            log.error("cluster={} instance={} could not be discarded after a failed recovery: {}", cluster, layout.instance(), e.getMessage());
        }
        failedRecoveries.put(cluster, desired);
        log.error("cluster={} recovery failed ({}): {}", cluster, reason, message);
        publisher.event(PlatformEvent.of(SOURCE, "recovery.failed", cluster, layout.instance(), Map.of("reason", reason,
                "message", "recovery failed: " + message)));
        reporter.fail(cluster, layout.ordinal(), port, "recovery failed (" + reason + "): " + message);
    }

}
