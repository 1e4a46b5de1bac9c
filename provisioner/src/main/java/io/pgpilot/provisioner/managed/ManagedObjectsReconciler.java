package io.pgpilot.provisioner.managed;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.DatabaseSpecRecord;
import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.PlatformState;
import io.pgpilot.events.PlatformStateFeed;
import io.pgpilot.events.RolesStatusRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.DatabaseDefinition;
import io.pgpilot.model.DatabaseValidator;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.provisioner.databases.ManagedDatabases;
import io.pgpilot.provisioner.roles.ManagedRoles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps {@code spec.managed.roles} and {@code Database} manifests true on each cluster's primary:
 * a pass on every change of the specs, the topology or the inventory, and every interval (so that
 * a role dropped by hand, or a new primary after a failover, is reconciled again). Roles come
 * before databases (a database's owner is often a managed role). Statements commit locally
 * ({@code synchronous_commit = local}): a reconciliation never waits for absent standbys, and what
 * a failover loses is redone on the new primary by the next pass. Statuses are published when they
 * change.
 */
public final class ManagedObjectsReconciler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagedObjectsReconciler.class);

    private final PlatformStateFeed platform;
    private final KeyedView<DatabaseSpecRecord> databases = new KeyedView<>(DatabaseSpecRecord.class);
    private final KeyedViewFeed databaseFeed;
    private final ManagedRoles roles;
    private final PrimaryConnector connector;
    private final EventBus bus;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("managed-objects").daemon().factory());
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final Map<String, RolesStatusRecord> publishedRoles = new HashMap<>();
    private final Map<String, DatabaseStatusRecord> publishedDatabases = new HashMap<>();

    public ManagedObjectsReconciler(String bootstrapServers, ManagedRoles roles, PrimaryConnector connector, EventBus bus) {
        this.roles = roles;
        this.connector = connector;
        this.bus = bus;
        this.platform = new PlatformStateFeed(bootstrapServers, "provisioner-managed",
                Set.of(Topics.SPECS, Topics.TOPOLOGY, Topics.INSTANCES), (change, key) -> queuePass());
        this.databaseFeed = new KeyedViewFeed(bootstrapServers, "provisioner-databases", Map.of(Topics.DATABASE_SPECS, databases));
    }

    public ManagedObjectsReconciler start(Duration interval) {
        platform.start();
        databaseFeed.start();
        loop.scheduleWithFixedDelay(this::pass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void queuePass() {
        if (passQueued.compareAndSet(false, true)) {
            loop.schedule(this::pass, 200, TimeUnit.MILLISECONDS); // coalesces a burst of records into one pass
        }
    }

    /** One reconciliation of every cluster's managed roles and databases (runs on the loop thread). */
    void pass() {
        passQueued.set(false);
        try {
            if (!platform.awaitCaughtUp(Duration.ZERO) || !databaseFeed.awaitCaughtUp(Duration.ZERO)) {
                return; // never decide from a partial view
            }
            PlatformState state = platform.state();
            Map<String, List<Map.Entry<String, DatabaseDefinition>>> byCluster = new HashMap<>();
            databases.all().forEach((name, spec) -> {
                DatabaseDefinition d = DatabaseValidator.validate(spec.manifest());
                byCluster.computeIfAbsent(d.cluster(), c -> new java.util.ArrayList<>()).add(Map.entry(name, d));
            });
            for (var entry : state.specs().entrySet()) {
                reconcileCluster(entry.getKey(), entry.getValue(), state, byCluster.getOrDefault(entry.getKey(), List.of()));
            }
            // manifests of clusters that do not exist (any more)
            byCluster.forEach((cluster, list) -> {
                if (state.spec(cluster).isEmpty()) {
                    list.forEach(e -> publishDatabase(e.getKey(), e.getValue(), DatabaseStatusRecord.Phase.PENDING,
                            "cluster " + cluster + " does not exist", List.of()));
                }
            });
            publishedRoles.keySet().stream().filter(c -> state.spec(c).isEmpty()).toList().forEach(this::forgetRoles);
            publishedDatabases.keySet().stream().filter(n -> databases.get(n).isEmpty()).toList().forEach(this::forgetDatabase);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("managed objects pass failed, will retry: {}", e.toString(), e);
        }
    }

    private void reconcileCluster(String cluster, ClusterSpecRecord spec, PlatformState state,
                                  List<Map.Entry<String, DatabaseDefinition>> clusterDatabases) {
        ClusterDefinition definition = ManifestValidator.validate(spec.manifest());
        if (definition.roles().isEmpty() && clusterDatabases.isEmpty()) {
            return;
        }
        Optional<InstanceRecord> primary = primary(state, cluster);
        if (primary.isEmpty()) {
            clusterDatabases.forEach(e -> publishDatabase(e.getKey(), e.getValue(), DatabaseStatusRecord.Phase.PENDING,
                    "waiting for a primary that accepts writes", List.of()));
            return;
        }
        InstanceRecord writer = primary.get();
        if (!definition.roles().isEmpty()) {
            try (Connection c = open(cluster, writer, "postgres")) {
                ManagedRoles.Outcome outcome = roles.reconcile(c, definition);
                publishRoles(new RolesStatusRecord(cluster, spec.uid(), spec.generation(), List.copyOf(outcome.reconciled()),
                        outcome.failed(), Instant.now()));
            } catch (SQLException e) {
                log.warn("cluster={} instance={} managed roles not reconciled now: {}", cluster, writer.instance(), e.getMessage());
            }
        }
        for (var entry : clusterDatabases) {
            DatabaseDefinition d = entry.getValue();
            try {
                ManagedDatabases.Outcome outcome = ManagedDatabases.reconcile(database -> open(cluster, writer, database), d);
                publishDatabase(entry.getKey(), d, outcome.phase(), outcome.message(), outcome.extensions());
            } catch (SQLException e) {
                log.warn("cluster={} instance={} database {} not reconciled now: {}", cluster, writer.instance(), d.database(), e.getMessage());
                publishDatabase(entry.getKey(), d, DatabaseStatusRecord.Phase.FAILED, "cannot reach the primary: " + e.getMessage(), List.of());
            }
        }
    }

    private Connection open(String cluster, InstanceRecord primary, String database) throws SQLException {
        Connection c = connector.connect(cluster, primary, database);
        try (Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            st.execute("SET statement_timeout = '60s'");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The topology's primary of the incarnation in force, once it confirmed that it accepts writes. */
    static Optional<InstanceRecord> primary(PlatformState state, String cluster) {
        Topology topology = state.topology(cluster);
        if (topology == null || topology.primary() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(state.instances(cluster).get(topology.primary())).filter(InstanceRecord::acceptsWrites);
    }

    private void publishRoles(RolesStatusRecord record) {
        RolesStatusRecord before = publishedRoles.get(record.cluster());
        if (before != null && before.generation() == record.generation() && Objects.equals(before.uid(), record.uid())
                && before.reconciled().equals(record.reconciled()) && before.failed().equals(record.failed())) {
            return;
        }
        try {
            bus.publish(Topics.ROLES_STATUS, record.cluster(), record);
            publishedRoles.put(record.cluster(), record);
            if (!record.failed().isEmpty()) {
                log.warn("cluster={} managed roles not reconciled: {}", record.cluster(), record.failed().keySet());
            }
            event(record.cluster(), record.failed().isEmpty() ? "roles.reconciled" : "roles.failed",
                    Map.of("reconciled", record.reconciled(), "failed", record.failed()));
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} roles status not published: {}", record.cluster(), e.getMessage());
        }
    }

    private void publishDatabase(String name, DatabaseDefinition d, DatabaseStatusRecord.Phase phase, String message, List<String> extensions) {
        long generation = databases.get(name).map(DatabaseSpecRecord::generation).orElse(0L);
        DatabaseStatusRecord record = new DatabaseStatusRecord(name, d.cluster(), d.database(), phase, message, extensions, generation,
                Instant.now());
        DatabaseStatusRecord before = publishedDatabases.get(name);
        if (before != null && before.generation() == generation && before.phase() == phase && Objects.equals(before.message(), message)
                && before.extensions().equals(record.extensions())) {
            return;
        }
        try {
            bus.publish(Topics.DATABASE_STATUS, name, record);
            publishedDatabases.put(name, record);
            if (phase != DatabaseStatusRecord.Phase.PENDING) {
                event(d.cluster(), "database." + phase.name().toLowerCase(), message == null ? Map.of("database", name)
                        : Map.of("database", name, "message", message));
            }
        } catch (EventBus.PublishException e) {
            log.warn("database={} status not published: {}", name, e.getMessage());
        }
    }

    private void forgetRoles(String cluster) {
        try {
            bus.tombstone(Topics.ROLES_STATUS, cluster);
            publishedRoles.remove(cluster);
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} roles status not removed: {}", cluster, e.getMessage());
        }
    }

    private void forgetDatabase(String name) {
        try {
            bus.tombstone(Topics.DATABASE_STATUS, name);
            publishedDatabases.remove(name);
        } catch (EventBus.PublishException e) {
            log.warn("database={} status not removed: {}", name, e.getMessage());
        }
    }

    private void event(String cluster, String type, Map<String, Object> data) {
        try {
            bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("provisioner", type, cluster, null, data));
        } catch (EventBus.PublishException e) {
            log.debug("event {} not published: {}", type, e.getMessage());
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        databaseFeed.close();
        platform.close();
    }
}
