package io.pgpilot.provisioner;

import io.opentelemetry.context.Context;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.KafkaTracing;
import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import io.pgpilot.provisioner.ConfigRenderer.ManagedSettings;
import io.pgpilot.provisioner.ConfigRenderer.Upstream;
import io.pgpilot.provisioner.ReconcileAction.ConfigureAll;
import io.pgpilot.provisioner.ReconcileAction.CreatePrimary;
import io.pgpilot.provisioner.ReconcileAction.CreateReplica;
import io.pgpilot.provisioner.ReconcileAction.Delete;
import io.pgpilot.provisioner.ReconcileAction.EnsureDatabase;
import io.pgpilot.provisioner.ReconcileAction.Start;
import io.pgpilot.provisioner.SecretStore.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Carries out {@link ReconcilePlanner}'s plans with {@link LocalPostgres}, one cluster at a time on
 * its own single thread, and reports through an {@link InventoryPublisher}. Every step is idempotent,
 * so replaying all specs at start-up is harmless. A failed instance is reported FAILED; the others go on.
 */
public final class ClusterReconciler implements AutoCloseable {

    public static final String SOURCE = "provisioner";
    private static final Logger log = LoggerFactory.getLogger(ClusterReconciler.class);

    private final LocalPostgres postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final Map<String, ExecutorService> executors = new ConcurrentHashMap<>();
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final HaSettings ha;
    private final TopologyConverger converger;
    /** The backup service's base URL for archive_command / restore_command; null: no archiving. */
    private final String backupServiceUrl;
    /** The last topology applied per cluster (epochs only grow); absent: none received, creation behaviour. */
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    /** The last spec per cluster, for the user parameters and synchronous settings of rejoined instances. */
    private final Map<String, ClusterDefinition> specs = new ConcurrentHashMap<>();
    private final Set<String> passQueued = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService ticker;
    private volatile boolean closed;

    public ClusterReconciler(LocalPostgres postgres, SecretStore secrets, InventoryPublisher publisher) {
        this(postgres, secrets, publisher, HaSettings.DEFAULTS);
    }

    public ClusterReconciler(LocalPostgres postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings ha) {
        this(postgres, secrets, publisher, ha, null);
    }

    public ClusterReconciler(LocalPostgres postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings ha,
                             String backupServiceUrl) {
        this.postgres = postgres;
        this.backupServiceUrl = backupServiceUrl;
        this.secrets = secrets;
        this.publisher = publisher;
        this.ha = ha;
        this.converger = new TopologyConverger(postgres, secrets, publisher, ha, backupServiceUrl);
    }

    // ---- topology ------------------------------------------------------------------------------

    /**
     * A topology record: applied at once on the cluster's thread when its epoch is above the last
     * one applied, ignored otherwise. Returns the pass, or null when ignored.
     */
    public Future<?> applyTopology(Topology topology) {
        String cluster = Names.requireCluster(topology.cluster());
        boolean[] accepted = {false};
        Topology applied = topologies.compute(cluster, (c, current) -> {
            accepted[0] = topology.newerThan(current);
            return accepted[0] ? topology : current;
        });
        if (!accepted[0]) {
            log.info("cluster={} ignoring topology epoch {}: epoch {} already applied", cluster, topology.epoch(), applied.epoch());
            return null;
        }
        log.info("cluster={} topology epoch {}: primary {}, replicas {}, fenced {} ({})", cluster, topology.epoch(), topology.primary(),
                topology.replicas(), topology.fenced(), topology.reason());
        // the pass runs later on the cluster's thread, in the trace of the topology record that caused it
        return executor(cluster).submit(Context.current().wrap(() -> guarded(cluster, () -> KafkaTracing.inSpan(
                "converge topology epoch " + topology.epoch(), cluster, false, () -> converge(cluster, "topology epoch " + topology.epoch())))));
    }

    /** A topology tombstone: the cluster goes back to creation behaviour. */
    public void clearTopology(String cluster) {
        Names.requireCluster(cluster);
        topologies.remove(cluster);
        log.info("cluster={} topology cleared", cluster);
    }

    public Topology topology(String cluster) {
        return topologies.get(cluster);
    }

    /** One convergence pass for the cluster's current topology, on the caller's thread (its executor, or a test). */
    public void converge(String cluster, String trigger) {
        Topology topology = topologies.get(cluster);
        if (topology != null && !closed) {
            converger.converge(topology, specs.get(cluster), trigger);
        }
    }

    /** Starts the periodic pass (crash handling) of every cluster that has a topology. */
    public synchronized void startPeriodicConvergence() {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("converge-ticker").daemon().factory());
        long every = ha.convergeInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (String cluster : topologies.keySet()) {
            if (closed) {
                return;
            }
            if (passQueued.add(cluster)) { // at most one periodic pass waiting per cluster
                try {
                    executor(cluster).submit(() -> {
                        passQueued.remove(cluster);
                        guarded(cluster, () -> converge(cluster, "periodic pass"));
                    });
                } catch (RuntimeException e) {
                    passQueued.remove(cluster);
                }
            }
        }
    }

    // ---- asynchronous entry points (serialized per cluster) ------------------------------------

    public Future<?> submit(ClusterDefinition desired) {
        return executor(desired.name()).submit(Context.current().wrap(() -> guarded(desired.name(),
                () -> KafkaTracing.inSpan("reconcile spec", desired.name(), false, () -> reconcile(desired)))));
    }

    public Future<?> submitDelete(String cluster) {
        Names.requireCluster(cluster);
        return executor(cluster).submit(Context.current().wrap(() -> guarded(cluster,
                () -> KafkaTracing.inSpan("delete cluster", cluster, false, () -> delete(cluster)))));
    }

    private ExecutorService executor(String cluster) {
        if (closed) {
            throw new IllegalStateException("provisioner is shutting down");
        }
        return executors.computeIfAbsent(cluster, c -> Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("reconcile-" + c).factory()));
    }

    private void guarded(String cluster, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("cluster={} reconcile failed: {}", cluster, e.getMessage(), e);
        }
    }

    // ---- reconcile -----------------------------------------------------------------------------

    /** One reconcile pass, run on the caller's thread (the cluster's executor, or a test). */
    public void reconcile(ClusterDefinition desired) {
        String cluster = desired.name();
        long started = System.nanoTime();
        specs.put(cluster, desired);
        postgres.writeClusterTls(cluster, io.pgpilot.provisioner.tls.ClusterTls.of(desired)); // applied by every config write below
        Topology topology = topologies.get(cluster);
        if (topology != null) {
            converge(cluster, "spec");
        }
        Map<Integer, ObservedInstance> observed = postgres.observe(cluster);
        List<ReconcileAction> plan = topology == null ? ReconcilePlanner.plan(desired, observed)
                : ReconcilePlanner.plan(desired, observed, ordinalOf(cluster, topology.primary()));
        log.info("cluster={} reconcile: {} instances desired, plan {}", cluster, desired.instances(), plan);
        Set<Integer> failed = new HashSet<>();
        for (ReconcileAction action : plan) {
            if (closed) {
                log.info("cluster={} reconcile interrupted by shutdown", cluster);
                return;
            }
            switch (action) {
                case CreatePrimary a -> {
                    if (!createPrimary(desired, a.ordinal())) {
                        failed.add(a.ordinal());
                        log.error("cluster={} has no primary: the rest of the plan waits for the next reconcile", cluster);
                        publishCurrent(desired);
                        return;
                    }
                }
                case Start a -> {
                    if (!start(cluster, a.ordinal())) {
                        failed.add(a.ordinal());
                    }
                }
                case EnsureDatabase a -> {
                    if (!failed.contains(a.primaryOrdinal())) {
                        try {
                            ensureDatabase(desired, a.primaryOrdinal());
                        } catch (RuntimeException e) {
                            log.error("cluster={} roles and database not ensured: {}", cluster, e.getMessage());
                            publisher.event(PlatformEvent.of(SOURCE, "cluster.degraded", cluster,
                                    Names.instanceName(cluster, a.primaryOrdinal()), Map.of("reason", String.valueOf(e.getMessage()))));
                        }
                    }
                }
                case ConfigureAll a -> configureAll(desired, a.primaryOrdinal());
                case Delete a -> deleteInstance(cluster, a.ordinal());
                case CreateReplica a -> {
                    if (failed.contains(a.primaryOrdinal())) {
                        fail(cluster, a.ordinal(), 0, "primary " + Names.instanceName(cluster, a.primaryOrdinal()) + " is not running");
                    } else if (!createReplica(desired, a.ordinal(), a.primaryOrdinal())) {
                        failed.add(a.ordinal());
                    }
                }
            }
        }
        if (topology != null) {
            converge(cluster, "spec");
        }
        boolean allRunning = publishCurrent(desired);
        if (allRunning && ready.add(cluster)) {
            log.info("cluster={} ready: {} instances running ({} ms)", cluster, desired.instances(), (System.nanoTime() - started) / 1_000_000);
            publisher.event(PlatformEvent.of(SOURCE, "cluster.ready", cluster, null, Map.of("instances", desired.instances(),
                    "step", desired.instances(), "of", desired.instances(),
                    "message", desired.instances() + "/" + desired.instances() + " instances ready")));
        } else if (!allRunning) {
            ready.remove(cluster);
        }
    }

    private boolean createPrimary(ClusterDefinition desired, int ordinal) {
        if (desired.recovery() != null) {
            return restorePrimary(desired, ordinal);
        }
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        int port = 0;
        try {
            port = postgres.prepare(layout).port();
            creating(layout, port, "primary", desired.instances());
            Credentials superuser = secrets.superuser(cluster);
            Credentials replication = secrets.replication(cluster);
            postgres.initPrimary(layout, superuser);
            postgres.writePassfile(layout, replication);
            postgres.writeConfig(layout, new ManagedSettings(layout.instance(), port, layout.socketDirectory(),
                    layout.logDirectory(), "", null).withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl)),
                    desired.parameters());
            postgres.start(layout);
            ensureDatabase(desired, ordinal);
            created(layout, port, "primary", desired.instances());
            return true;
        } catch (RuntimeException e) {
            fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
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
    private boolean restorePrimary(ClusterDefinition desired, int ordinal) {
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        if (desired.equals(failedRecoveries.get(cluster))) {
            log.info("cluster={} recovery failed before with this spec: not retried (update or recreate the cluster)", cluster);
            return false;
        }
        if (backupServiceUrl == null || backupServiceUrl.isBlank()) {
            fail(cluster, ordinal, 0, "bootstrap.recovery needs the backup service (pgpilot.provisioner.backup-service-url)");
            return false;
        }
        int port = 0;
        long started = System.nanoTime();
        try {
            port = postgres.prepare(layout).port();
            creating(layout, port, "primary", desired.instances());
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
            postgres.writePassfile(layout, replication);
            ConfigRenderer.Recovery recovery = new ConfigRenderer.Recovery(backupServiceUrl.replaceAll("/+$", ""), cluster, target);
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
            ensureDatabase(desired, ordinal);
            long totalMs = (System.nanoTime() - started) / 1_000_000;
            log.info("cluster={} recovered from backup {} in {} ms (base backup restored in {} ms)", cluster, plan.backupId(), totalMs, restoredMs);
            publisher.event(PlatformEvent.of(SOURCE, "recovery.completed", cluster, layout.instance(), Map.of("backupId", plan.backupId(),
                    "target", targetText, "millis", totalMs, "restoreMillis", restoredMs,
                    "message", "recovered from backup " + plan.backupId() + " to " + targetText)));
            failedRecoveries.remove(cluster);
            created(layout, port, "primary", desired.instances());
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
        fail(cluster, layout.ordinal(), port, "recovery failed (" + reason + "): " + message);
    }

    private boolean createReplica(ClusterDefinition desired, int ordinal, int primaryOrdinal) {
        String cluster = desired.name();
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        int port = 0;
        try {
            InstanceMetadata primary = postgres.readMetadata(postgres.layout(cluster, primaryOrdinal));
            if (primary == null) {
                throw new ProvisioningException(ProvisioningException.Reason.NO_PRIMARY, "primary has no metadata");
            }
            port = postgres.prepare(layout).port();
            creating(layout, port, "replica", desired.instances());
            Credentials replication = secrets.replication(cluster);
            postgres.cloneReplica(layout, primary.port(), replication);
            postgres.writeConfig(layout, settings(desired, layout, port, primary.port(), postgres.observe(cluster)), desired.parameters());
            postgres.start(layout);
            created(layout, port, "replica", desired.instances());
            return true;
        } catch (RuntimeException e) {
            fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
    }

    private boolean start(String cluster, int ordinal) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        InstanceMetadata metadata = postgres.readMetadata(layout);
        int port = metadata == null ? 0 : metadata.port();
        try {
            postgres.start(layout);
            log.info("cluster={} instance={} started on port {}", cluster, layout.instance(), port);
            publisher.event(PlatformEvent.of(SOURCE, "instance.started", cluster, layout.instance(), Map.of("port", port)));
            return true;
        } catch (RuntimeException e) {
            fail(cluster, ordinal, port, e.getMessage());
            return false;
        }
    }

    private void ensureDatabase(ClusterDefinition desired, int primaryOrdinal) {
        String cluster = desired.name();
        InstanceMetadata primary = postgres.readMetadata(postgres.layout(cluster, primaryOrdinal));
        postgres.ensureDatabase(primary.port(), desired, secrets.superuser(cluster), secrets.replication(cluster),
                secrets.app(cluster, desired.owner()));
        secrets.writeApp(cluster, desired.owner(), desired.database(), LocalPostgres.HOST, primary.port());
        secrets.writeCa(cluster, postgres.certificates().authority().certificatePem());
        PoolerAuthSetup.ensure(postgres, primary.port(), secrets.superuser(cluster), secrets.pooler(cluster));
    }

    /** Managed + user configuration on every kept instance; reload where changed; report pending restarts. */
    private void configureAll(ClusterDefinition desired, int primaryOrdinal) {
        String cluster = desired.name();
        Map<Integer, ObservedInstance> observed = postgres.observe(cluster);
        ObservedInstance primary = observed.get(primaryOrdinal);
        if (primary == null) {
            return;
        }
        Credentials replication = secrets.replication(cluster);
        for (ObservedInstance o : observed.values()) {
            if (!o.initialized() || o.ordinal() > desired.instances() && o.ordinal() != primaryOrdinal) {
                continue;
            }
            InstanceLayout layout = postgres.layout(cluster, o.ordinal());
            try {
                postgres.writePassfile(layout, replication);
                ManagedSettings settings = settings(desired, layout, o.port(),
                        o.ordinal() == primaryOrdinal ? 0 : primary.port(), observed);
                if (postgres.writeConfig(layout, settings, desired.parameters()) && o.running()) {
                    postgres.reload(layout);
                    log.info("cluster={} instance={} configuration changed, reloaded (synchronous_standby_names={})",
                            cluster, layout.instance(), settings.synchronousStandbyNames());
                    List<String> pending = postgres.pendingRestart(o.port(), secrets.superuser(cluster));
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

    private ManagedSettings settings(ClusterDefinition desired, InstanceLayout layout, int port, int upstreamPort,
                                     Map<Integer, ObservedInstance> observed) {
        Map<Integer, ObservedInstance> withSelf = new LinkedHashMap<>(observed);
        withSelf.put(layout.ordinal(), new ObservedInstance(layout.ordinal(), layout.instance(), port, true, upstreamPort != 0, true));
        String names = desired.synchronous().standbyNames(ReconcilePlanner.standbyCandidates(desired, withSelf, layout.ordinal()));
        Upstream upstream = upstreamPort == 0 ? null : new Upstream(LocalPostgres.HOST, upstreamPort, layout.tlsDirectory());
        return new ManagedSettings(layout.instance(), port, layout.socketDirectory(), layout.logDirectory(), names, upstream)
                .withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl));
    }

    private void deleteInstance(String cluster, int ordinal) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        try {
            postgres.remove(layout);
            log.info("cluster={} instance={} removed (scale down)", cluster, layout.instance());
            publisher.instanceRemoved(cluster, layout.instance());
            publisher.event(PlatformEvent.of(SOURCE, "instance.deleted", cluster, layout.instance(), Map.of()));
        } catch (RuntimeException e) {
            fail(cluster, ordinal, 0, e.getMessage());
        }
    }

    /** Publishes the current record of every instance on disk; true when all desired ones run. */
    private boolean publishCurrent(ClusterDefinition desired) {
        String cluster = desired.name();
        int running = 0;
        for (ObservedInstance o : postgres.observe(cluster).values()) {
            if (o.running()) {
                running += o.ordinal() <= desired.instances() ? 1 : 0;
                publisher.instance(record(postgres.layout(cluster, o.ordinal()), o.port(), Phase.RUNNING, o.standby() ? "replica" : "primary"));
            }
        }
        return running == desired.instances();
    }

    // ---- delete, start-up, shutdown ------------------------------------------------------------

    /** Tombstone: stop every instance, remove the cluster's directories and secrets, tombstone its inventory. */
    public void delete(String cluster) {
        Names.requireCluster(cluster);
        ready.remove(cluster);
        specs.remove(cluster);
        converger.forget(cluster);
        List<String> removed = new ArrayList<>();
        for (int ordinal : postgres.ordinals(cluster)) {
            InstanceLayout layout = postgres.layout(cluster, ordinal);
            long t = System.nanoTime();
            postgres.stop(layout);
            log.info("cluster={} instance={} stopped for deletion ({} ms)", cluster, layout.instance(), (System.nanoTime() - t) / 1_000_000);
            removed.add(layout.instance());
        }
        Files2.deleteRecursively(InstanceLayout.clusterDirectory(postgres.home(), cluster));
        secrets.delete(cluster);
        for (String instance : removed) {
            publisher.instanceRemoved(cluster, instance);
        }
        log.info("cluster={} deleted ({} instances)", cluster, removed.size());
        publisher.event(PlatformEvent.of(SOURCE, "cluster.deleted", cluster, null, Map.of("instances", removed)));
    }

    /**
     * Platform restart: starts every instance found on disk with its persisted port (the primary
     * first; replicas keep their standby.signal) and waits until done.
     */
    public void recoverAtStartup() {
        List<Future<?>> futures = new ArrayList<>();
        for (String cluster : postgres.clusters()) {
            futures.add(executor(cluster).submit(() -> guarded(cluster, () -> recover(cluster))));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                log.error("start-up recovery failed", e.getCause());
            }
        }
    }

    private void recover(String cluster) {
        if (topologies.containsKey(cluster)) {
            converge(cluster, "start-up");
            return;
        }
        postgres.observe(cluster).values().stream()
                .filter(o -> o.initialized() && !o.running())
                .sorted(Comparator.comparing(ObservedInstance::standby).thenComparingInt(ObservedInstance::ordinal))
                .forEach(o -> start(cluster, o.ordinal()));
        for (ObservedInstance o : postgres.observe(cluster).values()) {
            if (o.running()) {
                publisher.instance(record(postgres.layout(cluster, o.ordinal()), o.port(), Phase.RUNNING, o.standby() ? "replica" : "primary"));
            }
        }
    }

    /** Fast shutdown of every instance under the home, primaries first (their replicas get the last WAL). */
    public void stopAll() {
        for (String cluster : postgres.clusters()) {
            postgres.observe(cluster).values().stream()
                    .filter(ObservedInstance::running)
                    .sorted(Comparator.comparing(ObservedInstance::standby).thenComparingInt(ObservedInstance::ordinal))
                    .forEach(o -> {
                        InstanceLayout layout = postgres.layout(cluster, o.ordinal());
                        try {
                            postgres.stop(layout);
                            log.info("cluster={} instance={} stopped", cluster, layout.instance());
                        } catch (RuntimeException e) {
                            log.error("cluster={} instance={} could not be stopped: {}", cluster, layout.instance(), e.getMessage());
                        }
                    });
        }
    }

    /** Stops taking work, lets running steps end, then stops every instance (data kept). */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (ticker != null) {
                ticker.shutdownNow();
            }
        }
        executors.values().forEach(ExecutorService::shutdown);
        for (ExecutorService executor : executors.values()) {
            try {
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopAll();
    }

    // ---- reporting -----------------------------------------------------------------------------

    /**
     * Creation progress in the events: {@code step} of {@code of} (the desired instances). While an
     * instance is created, step counts it with those already running; once created, the running ones.
     */
    private void creating(InstanceLayout layout, int port, String role, int of) {
        int step = Math.min(running(layout.cluster(), of) + 1, of);
        log.info("cluster={} instance={} creating {} on port {} (step {} of {})", layout.cluster(), layout.instance(), role, port, step, of);
        publisher.instance(record(layout, port, Phase.CREATING, role));
        publisher.event(PlatformEvent.of(SOURCE, "instance.creating", layout.cluster(), layout.instance(),
                Map.of("role", role, "port", port, "step", step, "of", of,
                        "message", "creating " + role + " " + layout.instance() + " (" + step + " of " + of + ")")));
    }

    private void created(InstanceLayout layout, int port, String role, int of) {
        int step = running(layout.cluster(), of);
        log.info("cluster={} instance={} created {} on port {} ({}/{} instances ready)", layout.cluster(), layout.instance(), role, port,
                step, of);
        publisher.instance(record(layout, port, Phase.RUNNING, role));
        publisher.event(PlatformEvent.of(SOURCE, "instance.created", layout.cluster(), layout.instance(),
                Map.of("role", role, "port", port, "step", step, "of", of, "message", step + "/" + of + " instances ready")));
    }

    /** Running instances among the first {@code of} ordinals. */
    private int running(String cluster, int of) {
        return (int) postgres.observe(cluster).values().stream().filter(o -> o.running() && o.ordinal() <= of).count();
    }

    private void fail(String cluster, int ordinal, int port, String message) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        log.error("cluster={} instance={} failed: {}", cluster, layout.instance(), message);
        publisher.instance(record(layout, port, Phase.FAILED, message));
        publisher.event(PlatformEvent.of(SOURCE, "instance.failed", cluster, layout.instance(),
                Map.of("reason", String.valueOf(message))));
    }

    /** The ordinal of an instance name of this cluster; 0 when it is not one. */
    static int ordinalOf(String cluster, String instance) {
        String prefix = cluster + "-";
        if (instance == null || !instance.startsWith(prefix)) {
            return 0;
        }
        try {
            return Integer.parseInt(instance.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private InstanceRecord record(InstanceLayout layout, int port, Phase phase, String message) {
        return new InstanceRecord(layout.cluster(), layout.instance(), layout.ordinal(), LocalPostgres.HOST, port,
                layout.pgdata().toString(), phase, Instant.now(), message);
    }
}
