package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.sql.InstanceSql;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ClusterDefinition.SynchronousReplication;
import io.pgpilot.provisioner.ConvergenceStep.Demote;
import io.pgpilot.provisioner.ConvergenceStep.Fence;
import io.pgpilot.provisioner.ConvergenceStep.HoldPrimary;
import io.pgpilot.provisioner.ConvergenceStep.Promote;
import io.pgpilot.provisioner.ConvergenceStep.Rejoin;
import io.pgpilot.provisioner.ConvergenceStep.Repoint;
import io.pgpilot.provisioner.ConvergenceStep.StartPrimary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out {@link TopologyConvergencePlanner}'s steps with {@link InstanceBackend}. Called only on
 * the cluster's single reconcile thread, so transitions of one cluster are ordered. A failed step
 * reports the instance FAILED; the next pass (periodic, or the next topology or spec) retries.
 */
final class TopologyConverger {

    private static final Logger log = LoggerFactory.getLogger(TopologyConverger.class);
    private static final String SOURCE = ClusterReconciler.SOURCE;

    private record DownSince(String instance, long nanos) {
    }

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final HaSettings settings;
    private final Map<String, String> primarySeenRunning = new ConcurrentHashMap<>();
    private final Map<String, DownSince> primaryDown = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> announcedFenced = new ConcurrentHashMap<>();
    private final String backupServiceUrl;
    private final ConvergenceRecords records;
    private final RoleChange roles;

    TopologyConverger(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings settings,
                      String backupServiceUrl) {
        this.backupServiceUrl = backupServiceUrl;
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
        this.settings = settings;
        this.records = new ConvergenceRecords(postgres, publisher);
        this.roles = new RoleChange(postgres, secrets, publisher, settings, records);
    }

    /** Forgets what was learnt of a cluster (deleted). */
    void forget(String cluster) {
        roles.forget(cluster);
        primarySeenRunning.remove(cluster);
        primaryDown.remove(cluster);
        announcedFenced.remove(cluster);
        records.forget(cluster);
    }

    /** One convergence pass; {@code desired} may be null (topology known before the spec). */
    void converge(Topology topology, ClusterDefinition desired, String trigger) {
        converge(topology, desired, trigger, () -> topology);
    }

    /**
     * One convergence pass that stops before any role change once {@code latest} holds a newer epoch
     * than {@code topology}: observing a node that does not answer can take a while, and promoting
     * the primary of a superseded epoch would make a second history (the next pass converges to the
     * newer one).
     */
    void converge(Topology topology, ClusterDefinition desired, String trigger, java.util.function.Supplier<Topology> latest) {
        String cluster = topology.cluster();
        long started = System.nanoTime();
        records.incarnation(cluster, topology.uid());
        Map<Integer, MemberState> observed = postgres.observeMembers(cluster);
        if (observed.isEmpty()) {
            return;
        }
        announceUnfenced(topology);
        TopologyConvergencePlanner.Context context = context(topology, observed);
        MemberState named = observed.values().stream().filter(m -> m.name().equals(topology.primary())).findFirst().orElse(null);
        if (named != null) {
            context = context.withPrimaryHost(postgres.host(postgres.layout(cluster, named.ordinal())));
        }
        List<ConvergenceStep> plan = TopologyConvergencePlanner.plan(topology, observed, context);
        boolean acting = plan.stream().anyMatch(s -> !(s instanceof Fence f && !observed.get(f.ordinal()).running())
                && !(s instanceof HoldPrimary));
        if (acting) {
            log.info("cluster={} converging to topology epoch {} (primary {}, fenced {}) on {}: {}", cluster, topology.epoch(),
                    topology.primary(), topology.fenced(), trigger, plan);
        }
        Set<Integer> failed = new HashSet<>();
        for (ConvergenceStep step : plan) {
            InstanceLayout layout = postgres.layout(cluster, step.ordinal());
            if (step instanceof Demote || step instanceof Promote || step instanceof StartPrimary) {
                Topology newest = latest.get();
                if (newest != null && newest.newerThan(topology)) {
                    log.warn("cluster={} topology epoch {} superseded by epoch {} during the pass: {} not carried out, the next pass "
                            + "converges to epoch {}", cluster, topology.epoch(), newest.epoch(), step, newest.epoch());
                    break;
                }
            }
            try {
                switch (step) {
                    case Demote s -> roles.demote(topology, layout);
                    case Promote s -> roles.promote(topology, layout, s.start());
                    case StartPrimary s -> startPrimary(topology, layout, s.reason(), observed, desired);
                    case HoldPrimary s -> hold(layout, s.reason());
                    case Repoint s -> repoint(topology, layout, observed.get(s.ordinal()), observed.get(s.primaryOrdinal()), observed, desired);
                    case Rejoin s -> rejoin(topology, layout, observed.get(s.primaryOrdinal()), observed, desired);
                    case Fence s -> fence(topology, layout);
                }
            } catch (RuntimeException e) {
                failed.add(step.ordinal());
                records.fail(layout, observed.get(step.ordinal()).port(), step, e);
                if (step instanceof Demote || step instanceof Promote || step instanceof StartPrimary) {
                    // never go on with a second primary running, nor rejoin to a primary that is not one
                    log.error("cluster={} convergence to epoch {} stops after the failed {}; the next pass retries", cluster,
                            topology.epoch(), step);
                    break;
                }
            }
        }
        records.publishRecords(topology, failed);
        if (acting) {
            log.info("cluster={} converged to topology epoch {} in {} ms{}", cluster, topology.epoch(),
                    (System.nanoTime() - started) / 1_000_000, failed.isEmpty() ? "" : " (failed: " + failed + ")");
        }
    }

    private TopologyConvergencePlanner.Context context(Topology topology, Map<Integer, MemberState> observed) {
        String cluster = topology.cluster();
        MemberState primary = observed.values().stream().filter(m -> m.name().equals(topology.primary())).findFirst().orElse(null);
        if (primary == null) {
            return new TopologyConvergencePlanner.Context(false, null, settings.primaryRestartGrace());
        }
        boolean seen = topology.primary().equals(primarySeenRunning.get(cluster));
        if (primary.running() && !primary.standby()) {
            primarySeenRunning.put(cluster, primary.name());
            primaryDown.remove(cluster);
            return new TopologyConvergencePlanner.Context(true, null, settings.primaryRestartGrace());
        }
        if (!seen) {
            primaryDown.remove(cluster);
            return new TopologyConvergencePlanner.Context(false, null, settings.primaryRestartGrace());
        }
        DownSince down = primaryDown.compute(cluster, (k, d) -> d != null && d.instance().equals(primary.name()) ? d
                : new DownSince(primary.name(), System.nanoTime()));
        return new TopologyConvergencePlanner.Context(true, Duration.ofNanos(System.nanoTime() - down.nanos()),
                settings.primaryRestartGrace());
    }

    // ---- steps ---------------------------------------------------------------------------------

    private void startPrimary(Topology topology, InstanceLayout layout, String reason, Map<Integer, MemberState> observed,
                              ClusterDefinition desired) {
        long t = System.nanoTime();
        int port = postgres.port(layout);
        log.info("cluster={} instance={} starting the topology primary in place: {}", layout.cluster(), layout.instance(), reason);
        postgres.clearCrashLeftovers(layout);
        postgres.writeManagedConfig(layout, managed(layout, port, null, observed, desired));
        postgres.start(layout);
        primarySeenRunning.put(layout.cluster(), layout.instance());
        primaryDown.remove(layout.cluster());
        publisher.event(PlatformEvent.of(SOURCE, "instance.restarted", layout.cluster(), layout.instance(), Map.of("role", "primary",
                "epoch", topology.epoch(), "reason", reason, "durationMs", (System.nanoTime() - t) / 1_000_000)));
        records.record(layout, port, Phase.RUNNING, "primary");
    }

    private void hold(InstanceLayout layout, String reason) {
        log.warn("cluster={} instance={} {}", layout.cluster(), layout.instance(), reason);
        records.record(layout, postgres.port(layout), Phase.STOPPED, reason);
    }

    private void repoint(Topology topology, InstanceLayout layout, MemberState member, MemberState primary,
                         Map<Integer, MemberState> observed, ClusterDefinition desired) {
        long t = System.nanoTime();
        InstanceEndpoint upstream = postgres.endpoint(layout.cluster(), primary.ordinal(), primary.port());
        postgres.writePassfile(layout, upstream.host(), secrets.replication(layout.cluster()));
        postgres.writeManagedConfig(layout, managed(layout, member.port(), upstream, observed, desired));
        postgres.reload(layout);
        long ms = (System.nanoTime() - t) / 1_000_000;
        log.info("cluster={} instance={} repointed from port {} to {} ({}) in {} ms, no restart", layout.cluster(), layout.instance(),
                member.upstreamPort(), primary.name(), upstream, ms);
        publisher.event(PlatformEvent.of(SOURCE, "instance.repointed", layout.cluster(), layout.instance(), Map.of("epoch", topology.epoch(),
                "upstream", primary.name(), "upstreamPort", primary.port(), "durationMs", ms)));
        records.record(layout, member.port(), Phase.RUNNING, "replica");
    }

    private void rejoin(Topology topology, InstanceLayout layout, MemberState primary, Map<Integer, MemberState> observed,
                        ClusterDefinition desired) {
        long t = System.nanoTime();
        String cluster = layout.cluster();
        int port = postgres.port(layout);
        Credentials superuser = secrets.superuser(cluster);
        InstanceEndpoint source = postgres.endpoint(cluster, primary.ordinal(), primary.port());
        InstanceSql.Role primaryRole;
        try {
            primaryRole = postgres.role(source, superuser);
        } catch (SQLException e) {
            throw new ProvisioningException(Reason.NO_PRIMARY, "primary " + primary.name() + " does not answer (SQLState " + e.getSQLState() + ")", e);
        }
        if (primaryRole.inRecovery()) {
            throw new ProvisioningException(Reason.NO_PRIMARY, primary.name() + " is not promoted yet");
        }
        if (postgres.isRunning(layout)) {
            // only a primary the demote step did not stop can be here: never let it run beside the topology primary
            postgres.stop(layout);
        }
        postgres.clearCrashLeftovers(layout);
        MemberState self = observed.get(layout.ordinal());
        boolean wasStandby = self != null && self.standby(); // standby.signal as observed on the instance's host
        int timeline = postgres.timeline(layout);
        boolean rewindNeeded = !wasStandby || timeline != primaryRole.timeline();
        String how = "restarted";
        if (rewindNeeded) {
            log.info("cluster={} instance={} rejoining {} ({}; timeline {} vs {}): pg_rewind", cluster, layout.instance(), primary.name(),
                    wasStandby ? "standby" : "was a primary", timeline, primaryRole.timeline());
            postgres.removeStandbySignal(layout); // pg_rewind's crash recovery runs in single-user mode, which refuses standby mode
            long r = System.nanoTime();
            try {
                try {
                    postgres.checkpointIfTimelineNotRecorded(source, superuser);
                } catch (SQLException e) {
                    throw new ProvisioningException(Reason.REWIND, "no checkpoint on " + primary.name() + " (SQLState " + e.getSQLState() + ")", e);
                }
                postgres.rewind(layout, source, superuser);
                how = "rewound";
                long ms = (System.nanoTime() - r) / 1_000_000;
                log.info("cluster={} instance={} rewound from {} in {} ms", cluster, layout.instance(), primary.name(), ms);
                publisher.event(PlatformEvent.of(SOURCE, "instance.rewound", cluster, layout.instance(), Map.of("epoch", topology.epoch(),
                        "source", primary.name(), "fromTimeline", timeline, "toTimeline", primaryRole.timeline(), "durationMs", ms)));
            } catch (ProvisioningException e) {
                log.warn("cluster={} instance={} pg_rewind failed ({}): re-cloning from {}", cluster, layout.instance(), e.getMessage(), primary.name());
                postgres.cloneReplica(layout, source, secrets.replication(cluster));
                how = "recloned";
                long ms = (System.nanoTime() - r) / 1_000_000;
                publisher.event(PlatformEvent.of(SOURCE, "instance.recloned", cluster, layout.instance(), Map.of("epoch", topology.epoch(),
                        "source", primary.name(), "durationMs", ms)));
            }
        }
        postgres.writePassfile(layout, source.host(), secrets.replication(cluster));
        postgres.writeStandbySignal(layout);
        ManagedSettings managed = managed(layout, port, source, observed, desired);
        if (desired != null) {
            postgres.writeConfig(layout, managed, desired.parameters());
        } else {
            postgres.writeManagedConfig(layout, managed);
        }
        postgres.start(layout);
        long ms = (System.nanoTime() - t) / 1_000_000;
        if (rewindNeeded) {
            log.info("cluster={} instance={} rejoined as a standby of {} in {} ms ({})", cluster, layout.instance(), primary.name(), ms, how);
            publisher.event(PlatformEvent.of(SOURCE, "instance.rejoined", cluster, layout.instance(), Map.of("epoch", topology.epoch(),
                    "upstream", primary.name(), "how", how, "durationMs", ms)));
        } else {
            log.info("cluster={} instance={} restarted as a standby of {} in {} ms", cluster, layout.instance(), primary.name(), ms);
            publisher.event(PlatformEvent.of(SOURCE, "instance.restarted", cluster, layout.instance(), Map.of("role", "replica",
                    "epoch", topology.epoch(), "upstream", primary.name(), "durationMs", ms)));
        }
        records.record(layout, port, Phase.RUNNING, "replica");
    }

    private void fence(Topology topology, InstanceLayout layout) {
        boolean wasRunning = postgres.isRunning(layout);
        if (wasRunning) {
            log.warn("cluster={} instance={} fenced by topology epoch {}: stopping", layout.cluster(), layout.instance(), topology.epoch());
            postgres.stop(layout);
        }
        if (announcedFenced.computeIfAbsent(layout.cluster(), c -> ConcurrentHashMap.newKeySet()).add(layout.instance())) {
            publisher.event(PlatformEvent.of(SOURCE, "instance.fenced", layout.cluster(), layout.instance(),
                    Map.of("epoch", topology.epoch(), "stopped", wasRunning)));
        }
        records.record(layout, postgres.port(layout), Phase.STOPPED, "fenced");
    }

    private void announceUnfenced(Topology topology) {
        Set<String> announced = announcedFenced.get(topology.cluster());
        if (announced == null) {
            return;
        }
        List<String> fenced = topology.fenced() == null ? List.of() : topology.fenced();
        for (String instance : List.copyOf(announced)) {
            if (!fenced.contains(instance)) {
                announced.remove(instance);
                log.info("cluster={} instance={} unfenced by topology epoch {}", topology.cluster(), instance, topology.epoch());
                publisher.event(PlatformEvent.of(SOURCE, "instance.unfenced", topology.cluster(), instance, Map.of("epoch", topology.epoch())));
            }
        }
    }

    // ---- configuration -------------------------------------------------------------------------

    /**
     * The managed settings of one instance: synchronous standbys are every other instance, those on
     * a node that does not answer included ({@link ReconcilePlanner#standbyCandidates(String, int,
     * java.util.Collection, java.util.Collection, int)}).
     */
    private ManagedSettings managed(InstanceLayout layout, int port, InstanceEndpoint upstreamAt, Map<Integer, MemberState> observed,
                                    ClusterDefinition desired) {
        List<Integer> initialized = observed.values().stream().filter(MemberState::initialized).map(MemberState::ordinal).toList();
        List<Integer> unknown = postgres.ordinals(layout.cluster()).stream().filter(o -> !observed.containsKey(o)).toList();
        List<String> others = ReconcilePlanner.standbyCandidates(layout.cluster(), desired == null ? Integer.MAX_VALUE : desired.instances(),
                initialized, unknown, layout.ordinal());
        SynchronousReplication sync = desired == null ? new SynchronousReplication(SynchronousReplication.Method.ANY, 1) : desired.synchronous();
        Upstream upstream = upstreamAt == null ? null : new Upstream(upstreamAt.host(), upstreamAt.port(), layout.tlsDirectory());
        return new ManagedSettings(layout.instance(), port, layout.socketDirectory(), layout.logDirectory(), sync.standbyNames(others), upstream)
                .withArchiving(ConfigRenderer.Archiving.of(desired, backupServiceUrl));
    }
}
