package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.provisioner.RollingRestartPlanner.Member;
import io.pgpilot.provisioner.RollingRestartPlanner.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.pgpilot.provisioner.ClusterReconciler.SOURCE;

/**
 * Carries out {@link RollingRestartPlanner}'s steps on the cluster's thread after each convergence
 * pass, while a rollout is active: after every spec (a changed parameter may need a restart) and
 * after a restart request ({@code kubectl.kubernetes.io/restartedAt}, like {@code kubectl cnpg
 * restart}). An instance needs a restart when pg_settings reports pending_restart or its postmaster
 * started before the request. Progress goes to the events ({@code rollout.*}, {@code instance.restarted}).
 */
final class RollingRestarter {

    private static final Logger log = LoggerFactory.getLogger(RollingRestarter.class);
    private static final Duration SWITCHOVER_PATIENCE = Duration.ofSeconds(60);

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> requestedAt = new ConcurrentHashMap<>();
    private final Map<String, Integer> restarted = new ConcurrentHashMap<>();
    private final Map<String, String> lastWait = new ConcurrentHashMap<>();
    /** A switchover asked for: not asked again for the same epoch before the patience runs out. */
    private record Asked(long epoch, Instant at) {
    }
    private final Map<String, Asked> switchovers = new ConcurrentHashMap<>();

    /** Called before a rolling restart's switchover (holds the cluster's transaction-mode rw poolers); may block until they drained. */
    private volatile java.util.function.Consumer<String> beforeSwitchover = cluster -> { };

    void beforeSwitchover(java.util.function.Consumer<String> hook) {
        this.beforeSwitchover = hook == null ? cluster -> { } : hook;
    }

    RollingRestarter(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher) {
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
    }

    /** Look again at every instance on the next pass (after a spec was applied). */
    void activate(String cluster) {
        active.add(cluster);
    }

    /** Every instance whose postmaster started before {@code at} is restarted (a user's request). */
    void requestRestart(String cluster, Instant at) {
        Instant previous = requestedAt.put(cluster, at);
        if (!at.equals(previous)) {
            active.add(cluster);
        }
    }

    void forget(String cluster) {
        active.remove(cluster);
        requestedAt.remove(cluster);
        restarted.remove(cluster);
        lastWait.remove(cluster);
        switchovers.remove(cluster);
    }

    /** One step of the rollout, if one is active; on the cluster's thread. */
    void step(Topology topology, ClusterDefinition desired) {
        String cluster = topology.cluster();
        if (desired == null || !active.contains(cluster)) {
            return;
        }
        Map<String, Member> members = new LinkedHashMap<>();
        for (ObservedInstance o : postgres.observe(cluster).values()) {
            if (o.initialized() && (o.ordinal() <= desired.instances() || o.name().equals(topology.primary()))) {
                members.put(o.name(), observe(cluster, o.name()));
            }
        }
        Step step = RollingRestartPlanner.next(topology, members, !"restart".equals(desired.primaryUpdateMethod()));
        switch (step) {
            case Step.Done d -> {
                active.remove(cluster);
                Integer count = restarted.remove(cluster);
                if (count != null) {
                    log.info("cluster={} rolling restart completed: {} instances restarted", cluster, count);
                    event(cluster, "rollout.completed", null, Map.of("restarted", count,
                            "message", "rolling restart completed (" + count + " instances)"));
                }
            }
            case Step.Wait w -> {
                if (!w.why().equals(lastWait.put(cluster, w.why()))) {
                    log.info("cluster={} rolling restart waits: {}", cluster, w.why());
                }
            }
            case Step.RestartReplica r -> restart(cluster, r.instance(), "replica");
            case Step.RestartPrimary p -> restart(cluster, p.instance(), "primary");
            case Step.Switchover s -> {
                Asked asked = switchovers.get(cluster);
                if (asked != null && asked.epoch() == topology.epoch() && asked.at().plus(SWITCHOVER_PATIENCE).isAfter(Instant.now())) {
                    return;
                }
                switchovers.put(cluster, new Asked(topology.epoch(), Instant.now()));
                log.info("cluster={} rolling restart: switchover {} -> {} (the old primary restarts as a standby)", cluster, s.from(), s.to());
                beforeSwitchover.accept(cluster); // clients of transaction-mode rw poolers wait instead of failing
                publisher.command(ClusterCommand.of(cluster, ClusterCommand.Type.SWITCHOVER, s.to()));
                restarted.merge(cluster, 1, Integer::sum);
                event(cluster, "rollout.switchover", s.to(), Map.of("from", s.from(), "to", s.to(),
                        "message", "rolling restart: switchover from " + s.from() + " to " + s.to()));
            }
        }
    }

    private void restart(String cluster, String instance, String role) {
        int ordinal = ClusterReconciler.ordinalOf(cluster, instance);
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        long started = System.nanoTime();
        log.info("cluster={} instance={} rolling restart of the {}", cluster, instance, role);
        event(cluster, "rollout.restarting", instance, Map.of("role", role, "message", "rolling restart: restarting " + role + " " + instance));
        postgres.stop(layout);
        postgres.start(layout);
        restarted.merge(cluster, 1, Integer::sum);
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info("cluster={} instance={} restarted in {} ms", cluster, instance, millis);
        event(cluster, "instance.restarted", instance, Map.of("role", role, "millis", millis,
                "message", role + " " + instance + " restarted (" + millis + " ms)"));
    }

    private Member observe(String cluster, String name) {
        InstanceLayout layout = postgres.layout(cluster, ClusterReconciler.ordinalOf(cluster, name));
        InstanceMetadata metadata = postgres.readMetadata(layout);
        if (metadata == null || !postgres.isRunning(layout)) {
            return new Member(name, false, false, false, 0);
        }
        Credentials superuser = secrets.superuser(cluster);
        try (Connection c = postgres.connect(postgres.endpoint(cluster, layout.ordinal(), metadata.port()), "postgres", superuser); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     select exists (select 1 from pg_settings where pending_restart) as pending,
                            pg_postmaster_start_time() as started,
                            (select status from pg_stat_wal_receiver) as receiver,
                            coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0'), 0)::bigint as received
                     """)) {
            rs.next();
            Instant started = rs.getTimestamp("started").toInstant();
            Instant request = requestedAt.get(cluster);
            boolean needs = rs.getBoolean("pending") || request != null && started.isBefore(request);
            return new Member(name, true, "streaming".equals(rs.getString("receiver")), needs, rs.getLong("received"));
        } catch (SQLException e) {
            log.debug("cluster={} instance={} not observed for the rollout: SQLState {}", cluster, name, e.getSQLState());
            return new Member(name, false, false, false, 0);
        }
    }

    private void event(String cluster, String type, String instance, Map<String, Object> data) {
        publisher.event(PlatformEvent.of(SOURCE, type, cluster, instance, data));
    }
}
