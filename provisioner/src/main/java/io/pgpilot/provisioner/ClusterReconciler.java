package io.pgpilot.provisioner;

import io.pgpilot.events.Incarnation;
import io.pgpilot.events.KafkaTracing;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import io.pgpilot.provisioner.ReconcileAction.ConfigureAll;
import io.pgpilot.provisioner.ReconcileAction.CreatePrimary;
import io.pgpilot.provisioner.ReconcileAction.CreateReplica;
import io.pgpilot.provisioner.ReconcileAction.Delete;
import io.pgpilot.provisioner.ReconcileAction.EnsureDatabase;
import io.pgpilot.provisioner.ReconcileAction.Start;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Carries out {@link ReconcilePlanner}'s plans with {@link InstanceBackend}, one cluster at a time on
 * its own single thread, and reports through an {@link InventoryPublisher}. Every step is idempotent,
 * so replaying all specs at start-up is harmless. A failed instance is reported FAILED; the others go on.
 */
public final class ClusterReconciler implements AutoCloseable {

    public static final String SOURCE = "provisioner";
    private static final Logger log = LoggerFactory.getLogger(ClusterReconciler.class);

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final ClusterThreads threads = new ClusterThreads();
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final HaSettings ha;
    private final TopologyConverger converger;
    /** The last topology applied per cluster (epochs only grow); absent: none received, creation behaviour. */
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    /** The last spec per cluster, for the user parameters and synchronous settings of rejoined instances. */
    private final Map<String, ClusterDefinition> specs = new ConcurrentHashMap<>();
    private final Set<String> passQueued = ConcurrentHashMap.newKeySet();
    private final CreationRetries creationRetries = new CreationRetries();
    private final Incarnations incarnations;
    private final InstanceReporter reporter;
    private final RecoveryBootstrap recovery;
    private final RollingRestarter restarter;
    private final InstanceSteps steps;
    private final Hibernation hibernation;
    private final LostInstanceReplacer replacer;
    private ScheduledExecutorService ticker;

    public ClusterReconciler(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher) {
        this(postgres, secrets, publisher, HaSettings.DEFAULTS);
    }

    public ClusterReconciler(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings ha) {
        this(postgres, secrets, publisher, ha, null);
    }

    public ClusterReconciler(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings ha,
                             String backupServiceUrl) {
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
        this.ha = ha;
        this.converger = new TopologyConverger(postgres, secrets, publisher, ha, backupServiceUrl);
        this.incarnations = new Incarnations(postgres.home());
        this.reporter = new InstanceReporter(postgres, publisher, incarnations);
        this.restarter = new RollingRestarter(postgres, secrets, publisher);
        this.steps = new InstanceSteps(postgres, secrets, publisher, reporter, backupServiceUrl);
        this.hibernation = new Hibernation(postgres, reporter, publisher);
        this.replacer = new LostInstanceReplacer(postgres, steps, publisher);
        this.recovery = new RecoveryBootstrap(postgres, secrets, publisher, reporter, backupServiceUrl, steps::ensureDatabase);
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
        return threads.submit(cluster, () -> KafkaTracing.inSpan(
                "converge topology epoch " + topology.epoch(), cluster, false, () -> converge(cluster, "topology epoch " + topology.epoch())));
    }

    /** What runs before a rolling restart's switchover (the pooler hold). */
    public void beforeSwitchover(java.util.function.Consumer<String> hook) {
        restarter.beforeSwitchover(hook);
    }

    /** A user's rolling restart ({@code kubectl.kubernetes.io/restartedAt}): every instance started before {@code at}. */
    public void restartRequested(String cluster, java.time.Instant at) {
        restarter.requestRestart(Names.requireCluster(cluster), at);
    }

    /** A topology tombstone: the cluster goes back to creation behaviour. */
    public void clearTopology(String cluster) {
        Names.requireCluster(cluster);
        topologies.remove(cluster);
        log.info("cluster={} topology cleared", cluster);
    }

    /** The topology in force: the latest one applied, when it was decided for the cluster's incarnation in force. */
    public Topology topology(String cluster) {
        return incarnations.applicable(cluster, topologies.get(cluster));
    }

    /** One convergence pass for the cluster's current topology, on the caller's thread (its executor, or a test). */
    public void converge(String cluster, String trigger) {
        Topology topology = topology(cluster);
        if (topology != null && !threads.closed() && !hibernation.hibernated(cluster)) {
            converger.converge(topology, specs.get(cluster), trigger, () -> topology(cluster));
            restarter.step(topology, specs.get(cluster));
            replacer.step(topology, specs.get(cluster)); // instances of lost nodes, stale copies on nodes that are back
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
            if (threads.closed()) {
                return;
            }
            if (passQueued.add(cluster)) { // at most one periodic pass waiting per cluster
                try {
                    threads.submit(cluster, () -> {
                        passQueued.remove(cluster);
                        converge(cluster, "periodic pass");
                    });
                } catch (RuntimeException e) {
                    passQueued.remove(cluster);
                }
            }
        }
    }

    // ---- asynchronous entry points (serialized per cluster) ------------------------------------

    public Future<?> submit(ClusterDefinition desired) {
        return submit(desired, null);
    }

    /** A spec of the cluster incarnation {@code uid} (null: a spec from before incarnations). */
    public Future<?> submit(ClusterDefinition desired, String uid) {
        return threads.submit(desired.name(),
                () -> KafkaTracing.inSpan("reconcile spec", desired.name(), false, () -> reconcile(desired, uid)));
    }

    public Future<?> submitDelete(String cluster) {
        Names.requireCluster(cluster);
        return threads.submit(cluster, () -> KafkaTracing.inSpan("delete cluster", cluster, false, () -> delete(cluster)));
    }

    // ---- reconcile -----------------------------------------------------------------------------

    /** One reconcile pass, run on the caller's thread (the cluster's executor, or a test). */
    public void reconcile(ClusterDefinition desired) {
        reconcile(desired, null);
    }

    /**
     * One reconcile pass for the incarnation {@code uid}: instances on disk of another incarnation
     * (a deleted cluster of the same name whose deletion did not finish here) are deleted first.
     */
    public void reconcile(ClusterDefinition desired, String uid) {
        String cluster = desired.name();
        long started = System.nanoTime();
        if (incarnations.stale(cluster, uid, !postgres.ordinals(cluster).isEmpty())) {
            log.warn("cluster={} the instances on disk belong to incarnation {}, not {}: deleting them first", cluster,
                    Incarnation.brief(incarnations.onDisk(cluster)), Incarnation.brief(uid));
            delete(cluster);
        }
        incarnations.adopt(cluster, uid);
        specs.put(cluster, desired);
        postgres.writeClusterTls(cluster, io.pgpilot.instance.configuration.ClusterTls.of(desired)); // applied by every config write below
        if (uid != null) { // a spec from before incarnations: its instances are probed by no instance manager
            postgres.writeManagerSpec(cluster, new io.pgpilot.instance.node.ManagerSpec(uid, desired.instances(), secrets.superuser(cluster)));
        }
        if (desired.hibernated()) {
            ready.remove(cluster);
            hibernation.hibernate(desired);
            return;
        }
        hibernation.wake(cluster);
        Topology topology = topology(cluster);
        if (topology != null) {
            converge(cluster, "spec");
        }
        Map<Integer, ObservedInstance> observed = postgres.observe(cluster);
        List<ReconcileAction> plan = topology == null ? ReconcilePlanner.plan(desired, observed)
                : ReconcilePlanner.plan(desired, observed, ordinalOf(cluster, topology.primary()));
        log.info("cluster={} reconcile: {} instances desired, plan {}", cluster, desired.instances(), plan);
        Set<Integer> failed = new HashSet<>();
        for (ReconcileAction action : plan) {
            if (threads.closed()) {
                log.info("cluster={} reconcile interrupted by shutdown", cluster);
                return;
            }
            switch (action) {
                case CreatePrimary a -> {
                    if (!createPrimary(desired, a.ordinal())) {
                        failed.add(a.ordinal());
                        if (desired.recovery() != null) {
                            // a failed recovery is reported and not retried (docs/backup.md): re-create with another target
                            log.error("cluster={} has no primary: its recovery failed", cluster);
                        } else {
                            Duration wait = creationRetries.schedule(cluster, () -> {
                                if (!threads.closed() && specs.get(cluster) == desired) { // not deleted, no newer spec
                                    submit(desired, uid);
                                }
                            });
                            log.error("cluster={} has no primary: reconciling again in {} s", cluster, wait.toSeconds());
                        }
                        reporter.publishCurrent(desired);
                        return;
                    }
                    creationRetries.reset(cluster);
                }
                case Start a -> {
                    if (!steps.start(cluster, a.ordinal())) {
                        failed.add(a.ordinal());
                    }
                }
                case EnsureDatabase a -> {
                    if (!failed.contains(a.primaryOrdinal())) {
                        try {
                            steps.ensureDatabase(desired, a.primaryOrdinal());
                        } catch (RuntimeException e) {
                            log.error("cluster={} roles and database not ensured: {}", cluster, e.getMessage());
                            publisher.event(PlatformEvent.of(SOURCE, "cluster.degraded", cluster,
                                    Names.instanceName(cluster, a.primaryOrdinal()), Map.of("reason", String.valueOf(e.getMessage()))));
                        }
                    }
                }
                case ConfigureAll a -> steps.configureAll(desired, a.primaryOrdinal());
                case Delete a -> steps.deleteInstance(cluster, a.ordinal());
                case CreateReplica a -> {
                    if (failed.contains(a.primaryOrdinal())) {
                        reporter.fail(cluster, a.ordinal(), 0, "primary " + Names.instanceName(cluster, a.primaryOrdinal()) + " is not running");
                    } else if (!steps.createReplica(desired, a.ordinal(), a.primaryOrdinal())) {
                        failed.add(a.ordinal());
                    }
                }
            }
        }
        if (topology != null) {
            converge(cluster, "spec");
        }
        restarter.activate(cluster); // a changed parameter may need a rolling restart
        boolean allRunning = reporter.publishCurrent(desired);
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
        return desired.recovery() != null ? recovery.restorePrimary(desired, ordinal) : steps.createPrimary(desired, ordinal);
    }

    // ---- delete, start-up, shutdown ------------------------------------------------------------

    /** Tombstone: stop every instance, remove the cluster's directories and secrets, tombstone its inventory. */
    public void delete(String cluster) {
        Names.requireCluster(cluster);
        ready.remove(cluster);
        specs.remove(cluster);
        creationRetries.reset(cluster);
        incarnations.forget(cluster);
        recovery.forget(cluster);
        restarter.forget(cluster);
        topologies.remove(cluster); // the next incarnation's topology has a higher epoch anyway
        converger.forget(cluster);
        replacer.forget(cluster);
        List<String> removed = new ArrayList<>();
        for (int ordinal : postgres.ordinals(cluster)) {
            InstanceLayout layout = postgres.layout(cluster, ordinal);
            long t = System.nanoTime();
            postgres.stop(layout);
            log.info("cluster={} instance={} stopped for deletion ({} ms)", cluster, layout.instance(), (System.nanoTime() - t) / 1_000_000);
            removed.add(layout.instance());
        }
        postgres.removeCluster(cluster);
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
            futures.add(threads.submit(cluster, () -> recover(cluster)));
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
        if (hibernation.hibernated(cluster)) {
            log.info("cluster={} is hibernated: not started", cluster);
            return;
        }
        if (topology(cluster) != null) {
            converge(cluster, "start-up");
            return;
        }
        postgres.observe(cluster).values().stream()
                .filter(o -> o.initialized() && !o.running())
                .sorted(Comparator.comparing(ObservedInstance::standby).thenComparingInt(ObservedInstance::ordinal))
                .forEach(o -> steps.start(cluster, o.ordinal()));
        for (ObservedInstance o : postgres.observe(cluster).values()) {
            if (o.running()) {
                reporter.running(cluster, o);
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
        threads.stopTaking();
        creationRetries.close();
        synchronized (this) {
            if (ticker != null) {
                ticker.shutdownNow();
            }
        }
        threads.drain();
        stopAll();
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
}
