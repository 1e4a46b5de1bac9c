package io.pgpilot.provisioner;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a reconcile plan that act on one instance through the {@link InstanceBackend}:
 * create a primary (initdb) or a replica (clone), start, the roles and database, the configuration
 * of every kept instance, removal on scale-down. A failed step reports the instance FAILED and
 * returns; the reconciler decides what waits for it.
 */
final class InstanceSteps {

    private static final Logger log = LoggerFactory.getLogger(InstanceSteps.class);
    private static final String SOURCE = ClusterReconciler.SOURCE;

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final InstanceReporter reporter;
    /** The backup service's base URL for archive_command / restore_command; null: no archiving. */
    private final String backupServiceUrl;

    InstanceSteps(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, InstanceReporter reporter,
                  String backupServiceUrl) {
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
        this.reporter = reporter;
        this.backupServiceUrl = backupServiceUrl;
    }

    boolean createPrimary(ClusterDefinition desired, int ordinal) {
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        int port = 0;
        try {
            port = postgres.prepare(layout).port();
            reporter.creating(layout, port, "primary", desired.instances());
            Credentials superuser = secrets.superuser(cluster);
            Credentials replication = secrets.replication(cluster);
            postgres.initPrimary(layout, superuser);
            postgres.writePassfile(layout, postgres.host(layout), replication);
            postgres.writeConfig(layout, new ManagedSettings(layout.instance(), port, layout.socketDirectory(),
                    layout.logDirectory(), "", null).withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl)),
                    desired.parameters());
            postgres.start(layout);
            ensureDatabase(desired, ordinal);
            reporter.created(layout, port, "primary", desired.instances());
            return true;
        } catch (RuntimeException e) {
            reporter.fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
    }

    boolean createReplica(ClusterDefinition desired, int ordinal, int primaryOrdinal) {
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        int port = 0;
        try {
            InstanceLayout primaryLayout = postgres.layout(cluster, primaryOrdinal);
            if (postgres.readMetadata(primaryLayout) == null) {
                throw new ProvisioningException(ProvisioningException.Reason.NO_PRIMARY, "primary has no metadata");
            }
            InstanceEndpoint primary = postgres.endpoint(primaryLayout);
            port = postgres.prepare(layout).port();
            reporter.creating(layout, port, "replica", desired.instances());
            Credentials replication = secrets.replication(cluster);
            postgres.cloneReplica(layout, primary, replication);
            postgres.writeConfig(layout, settings(desired, layout, port, primary, postgres.observe(cluster)), desired.parameters());
            postgres.start(layout);
            reporter.created(layout, port, "replica", desired.instances());
            return true;
        } catch (RuntimeException e) {
            reporter.fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
    }

    boolean start(String cluster, int ordinal) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        int port = postgres.port(layout);
        try {
            postgres.start(layout);
            log.info("cluster={} instance={} started on port {}", cluster, layout.instance(), port);
            publisher.event(PlatformEvent.of(SOURCE, "instance.started", cluster, layout.instance(), Map.of("port", port)));
            return true;
        } catch (RuntimeException e) {
            reporter.fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
    }

    void ensureDatabase(ClusterDefinition desired, int primaryOrdinal) {
        String cluster = desired.name();
        InstanceEndpoint primary = postgres.endpoint(postgres.layout(cluster, primaryOrdinal));
        postgres.ensureDatabase(primary, desired, secrets.superuser(cluster), secrets.replication(cluster),
                secrets.app(cluster, desired.owner()));
        secrets.writeApp(cluster, desired.owner(), desired.database(), primary.host(), primary.port());
        secrets.writeCa(cluster, postgres.certificates().authority().certificatePem());
        PoolerAuthSetup.ensure(postgres, primary, secrets.superuser(cluster), secrets.pooler(cluster));
    }

    /** Managed + user configuration on every kept instance; reload where changed; report pending restarts. */
    void configureAll(ClusterDefinition desired, int primaryOrdinal) {
        String cluster = desired.name();
        Map<Integer, ObservedInstance> observed = postgres.observe(cluster);
        ObservedInstance primary = observed.get(primaryOrdinal);
        if (primary == null) {
            return;
        }
        Credentials replication = secrets.replication(cluster);
        InstanceEndpoint primaryAt = postgres.endpoint(cluster, primaryOrdinal, primary.port());
        for (ObservedInstance o : observed.values()) {
            if (!o.initialized() || o.ordinal() > desired.instances() && o.ordinal() != primaryOrdinal) {
                continue;
            }
            InstanceLayout layout = postgres.layout(cluster, o.ordinal());
            try {
                postgres.writePassfile(layout, primaryAt.host(), replication);
                ManagedSettings settings = settings(desired, layout, o.port(),
                        o.ordinal() == primaryOrdinal ? null : primaryAt, observed);
                if (postgres.writeConfig(layout, settings, desired.parameters()) && o.running()) {
                    postgres.reload(layout);
                    log.info("cluster={} instance={} configuration changed, reloaded (synchronous_standby_names={})",
                            cluster, layout.instance(), settings.synchronousStandbyNames());
                    List<String> pending = postgres.pendingRestart(postgres.endpoint(cluster, o.ordinal(), o.port()), secrets.superuser(cluster));
                    if (!pending.isEmpty()) {
                        log.info("cluster={} instance={} pending restart for {}", cluster, layout.instance(), pending);
                        publisher.event(PlatformEvent.of(SOURCE, "instance.pending_restart", cluster, layout.instance(),
                                Map.of("parameters", pending)));
                    }
                }
            } catch (RuntimeException e) {
                log.error("cluster={} instance={} cannot be configured: {}", cluster, layout.instance(), e.getMessage());
                publisher.event(PlatformEvent.of(SOURCE, "instance.failed", cluster, layout.instance(),
                        Map.of("reason", String.valueOf(e.getMessage()))));
            }
        }
    }

    private ManagedSettings settings(ClusterDefinition desired, InstanceLayout layout, int port, InstanceEndpoint upstreamAt,
                                     Map<Integer, ObservedInstance> observed) {
        Map<Integer, ObservedInstance> withSelf = new LinkedHashMap<>(observed);
        withSelf.put(layout.ordinal(), new ObservedInstance(layout.ordinal(), layout.instance(), port, true, upstreamAt != null, true));
        List<Integer> initialized = withSelf.values().stream().filter(ObservedInstance::initialized).map(ObservedInstance::ordinal).toList();
        List<Integer> unknown = postgres.ordinals(desired.name()).stream().filter(o -> !withSelf.containsKey(o)).toList();
        String names = desired.synchronous().standbyNames(ReconcilePlanner.standbyCandidates(desired.name(), desired.instances(), initialized,
                unknown, layout.ordinal()));
        Upstream upstream = upstreamAt == null ? null : new Upstream(upstreamAt.host(), upstreamAt.port(), layout.tlsDirectory());
        return new ManagedSettings(layout.instance(), port, layout.socketDirectory(), layout.logDirectory(), names, upstream)
                .withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl));
    }

    void deleteInstance(String cluster, int ordinal) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        try {
            postgres.remove(layout);
            log.info("cluster={} instance={} removed (scale down)", cluster, layout.instance());
            publisher.instanceRemoved(cluster, layout.instance());
            publisher.event(PlatformEvent.of(SOURCE, "instance.deleted", cluster, layout.instance(), Map.of()));
        } catch (RuntimeException e) {
            reporter.fail(cluster, ordinal, 0, e.getMessage());
        }
    }
}
