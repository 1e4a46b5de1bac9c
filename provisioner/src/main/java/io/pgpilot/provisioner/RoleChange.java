package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.Lsn;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.sql.InstanceSql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hand-over of the primary role in a topology convergence: the old primary is demoted (fast
 * shutdown, or killed after a failover decision) and can only come back as a standby; the new one
 * is promoted, after a planned switchover only once it has every WAL record the old one wrote.
 */
final class RoleChange {

    private static final Logger log = LoggerFactory.getLogger(RoleChange.class);
    private static final String SOURCE = ClusterReconciler.SOURCE;

    /** The clean shutdown of a primary by a demotion: the promotion target must have its WAL up to {@code lsn}. */
    private record Demotion(long epoch, String instance, long lsn) {
    }

    private final InstanceBackend postgres;
    private final SecretStore secrets;
    private final InventoryPublisher publisher;
    private final HaSettings settings;
    private final ConvergenceRecords records;
    private final Map<String, Demotion> demotions = new ConcurrentHashMap<>();

    RoleChange(InstanceBackend postgres, SecretStore secrets, InventoryPublisher publisher, HaSettings settings, ConvergenceRecords records) {
        this.postgres = postgres;
        this.secrets = secrets;
        this.publisher = publisher;
        this.settings = settings;
        this.records = records;
    }

    void forget(String cluster) {
        demotions.remove(cluster);
    }

    void demote(Topology topology, InstanceLayout layout) {
        long t = System.nanoTime();
        log.warn("cluster={} instance={} runs as primary but topology epoch {} names {}: demoting (fast shutdown)",
                layout.cluster(), layout.instance(), topology.epoch(), topology.primary());
        // a frozen or hung primary cannot obey a fast shutdown: it is killed so that the promotion
        // goes ahead (it can never serve again on this timeline either way). After a failover
        // decision it is killed at once: the new primary was chosen already and nothing the old one
        // still writes is kept, so a clean shutdown only delays the promotion (by up to the timeout)
        boolean failover = topology.reason() != null && topology.reason().startsWith("failover");
        boolean clean;
        if (failover) {
            postgres.kill(layout);
            clean = false;
        } else {
            clean = postgres.stopOrKill(layout, settings.demoteTimeout());
        }
        // from here on it can only come back as a standby (safety rule 4)
        postgres.writeStandbySignal(layout);
        long lsn = postgres.latestCheckpointLsn(layout);
        if (clean) {
            demotions.put(layout.cluster(), new Demotion(topology.epoch(), layout.instance(), lsn));
        } else {
            // no clean end of WAL to wait for: the failover service chose the most advanced replica
            demotions.remove(layout.cluster());
        }
        long ms = (System.nanoTime() - t) / 1_000_000;
        log.info("cluster={} instance={} demoted in {} ms ({}), final checkpoint {}", layout.cluster(), layout.instance(), ms,
                clean ? "clean shutdown" : failover ? "killed: replaced by a failover" : "killed: it did not shut down in time", Lsn.format(lsn));
        publisher.event(PlatformEvent.of(SOURCE, "instance.demoted", layout.cluster(), layout.instance(),
                Map.of("epoch", topology.epoch(), "finalLsn", Lsn.format(lsn), "durationMs", ms, "clean", clean)));
        records.record(layout, postgres.port(layout), Phase.STOPPED, "demoted by topology epoch " + topology.epoch());
    }

    void promote(Topology topology, InstanceLayout layout, boolean start) {
        long t = System.nanoTime();
        String cluster = layout.cluster();
        int port = postgres.port(layout);
        Credentials superuser = secrets.superuser(cluster);
        if (start) {
            postgres.clearCrashLeftovers(layout);
            postgres.start(layout);
            log.info("cluster={} instance={} started as a standby before its promotion", cluster, layout.instance());
        }
        Demotion demotion = demotions.get(cluster);
        long catchUpMs = 0;
        if (demotion != null && demotion.epoch() == topology.epoch() && !demotion.instance().equals(layout.instance())) {
            catchUpMs = awaitWal(layout, port, superuser, demotion);
        }
        long p = System.nanoTime();
        // the "primary" record below opens rw to this instance: publish it only once the instance
        // itself says it left recovery (pg_ctl sees the control file before backends may write)
        int timeline;
        try {
            timeline = postgres.promoteOverSql(postgres.endpoint(cluster, layout.ordinal(), port), superuser, settings.promoteCatchUpTimeout()).timeline();
        } catch (SQLException e) {
            log.warn("cluster={} instance={} cannot be promoted over SQL (SQLState {}): pg_ctl promote", cluster, layout.instance(),
                    e.getSQLState());
            postgres.promote(layout);
            InstanceSql.Role role;
            try {
                role = postgres.role(postgres.endpoint(cluster, layout.ordinal(), port), superuser);
            } catch (SQLException again) {
                throw new ProvisioningException(Reason.PROMOTE, "promoted " + layout.instance() + " does not answer (SQLState "
                        + again.getSQLState() + ")", again);
            }
            if (role.inRecovery()) {
                // no "primary" record (it would open rw) until the instance itself says it left recovery
                throw new ProvisioningException(Reason.PROMOTE, "promoted " + layout.instance() + " is still in recovery");
            }
            timeline = role.timeline();
        }
        long promoteMs = (System.nanoTime() - p) / 1_000_000;
        demotions.remove(cluster);
        long ms = (System.nanoTime() - t) / 1_000_000;
        log.info("cluster={} instance={} promoted for epoch {} in {} ms (promotion {} ms, WAL catch-up {} ms), timeline {}",
                cluster, layout.instance(), topology.epoch(), ms, promoteMs, catchUpMs, timeline);
        publisher.event(PlatformEvent.of(SOURCE, "instance.promoted", cluster, layout.instance(), Map.of("epoch", topology.epoch(),
                "timeline", timeline, "durationMs", ms, "promoteMs", promoteMs, "catchUpMs", catchUpMs)));
        records.record(layout, port, Phase.RUNNING, "primary");
    }

    /**
     * A planned switchover: the target must have received everything the cleanly stopped primary
     * wrote. Never promotes early: on timeout the step fails and the next pass waits again.
     */
    private long awaitWal(InstanceLayout layout, int port, Credentials superuser, Demotion demotion) {
        long t = System.nanoTime();
        long deadline = t + settings.promoteCatchUpTimeout().toNanos();
        long received = 0;
        while (true) {
            try {
                received = postgres.receivedLsn(postgres.endpoint(layout.cluster(), layout.ordinal(), port), superuser);
            } catch (SQLException e) {
                log.warn("cluster={} instance={} cannot read its received LSN: SQLState {}", layout.cluster(), layout.instance(), e.getSQLState());
            }
            if (received >= demotion.lsn()) {
                return (System.nanoTime() - t) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                log.error("cluster={} instance={} NOT PROMOTED: it has received WAL up to {} only, the demoted primary {} ended at {}; "
                                + "promoting it would lose acknowledged commits. Waiting and retrying.", layout.cluster(), layout.instance(),
                        Lsn.format(received), demotion.instance(), Lsn.format(demotion.lsn()));
                throw new ProvisioningException(Reason.PROMOTE, layout.instance() + " lacks WAL of the demoted primary (has "
                        + Lsn.format(received) + ", needs " + Lsn.format(demotion.lsn()) + ")");
            }
            try {
                Thread.sleep(10); // poll interval while the WAL receiver catches up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProvisioningException(Reason.PROMOTE, "interrupted while waiting for WAL", e);
            }
        }
    }
}
