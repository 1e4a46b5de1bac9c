package io.pgpilot.services;

import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps HAProxy and the published endpoints in line with the cluster state. Every change and the
 * periodic pass run on one thread that owns the state, the port store and HAProxy. Nothing is
 * applied before {@link #markCaughtUp()}, so that a restart never loads a partial view (which
 * would cut the sessions of clusters not yet replayed). Failures (invalid config, Kafka down) are
 * logged and retried by the periodic pass; they never stop the loop.
 */
public final class AccessLayer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLayer.class);

    private final EndpointState state = new EndpointState();
    private final PortStore ports;
    private final HaproxyProcess haproxy;
    private final HaproxyConfigRenderer renderer;
    private final EndpointPublisher publisher;
    private final Clock clock;
    private final String listenAddress;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("access-layer").daemon().factory());

    private boolean caughtUp;
    private boolean dirty = true;
    private List<ClusterEndpoints> applied = List.of();
    private final Map<String, EndpointsRecord> published = new HashMap<>();
    /** rw servers at the last publication: a change (e.g. a promotion confirmed) is announced as an endpoints event. */
    private final Map<String, List<String>> publishedRw = new HashMap<>();
    private final Set<String> pendingDeletes = new TreeSet<>();
    private volatile java.util.function.Consumer<List<ClusterEndpoints>> appliedListener = applied -> { };

    public AccessLayer(PortStore ports, HaproxyProcess haproxy, EndpointPublisher publisher, Clock clock) {
        this(ports, haproxy, publisher, clock, HaproxyConfigRenderer.LISTEN_ADDRESS);
    }

    /** @param listenAddress where the endpoints listen and what their records announce */
    public AccessLayer(PortStore ports, HaproxyProcess haproxy, EndpointPublisher publisher, Clock clock, String listenAddress) {
        this.ports = ports;
        this.haproxy = haproxy;
        this.listenAddress = listenAddress;
        this.renderer = new HaproxyConfigRenderer(haproxy.statsSocket(), listenAddress);
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Told what HAProxy serves after every reconcile (the poolers follow the routes). */
    public AccessLayer onApplied(java.util.function.Consumer<List<ClusterEndpoints>> listener) {
        this.appliedListener = listener;
        return this;
    }

    /** Adopts an HAProxy left by a previous run and starts the periodic pass. */
    public AccessLayer start(Duration resyncInterval) {
        loop.execute(haproxy::adopt);
        loop.scheduleWithFixedDelay(this::periodic, resyncInterval.toMillis(), resyncInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Everything that was on the state topics at start has been handed over: apply from now on. */
    public CompletableFuture<Void> markCaughtUp() {
        return submit(() -> {
            caughtUp = true;
            log.info("caught up with the state topics, applying endpoints");
            return true;
        });
    }

    public CompletableFuture<Void> onSpec(String cluster, boolean present) {
        return submit(() -> state.applySpec(cluster, present));
    }

    public CompletableFuture<Void> onInstance(String key, InstanceRecord record) {
        return submit(() -> state.applyInstance(key, record));
    }

    public CompletableFuture<Void> onTopology(String cluster, Topology topology) {
        return submit(() -> state.applyTopology(cluster, topology));
    }

    /** Runs {@code change} on the loop; reconciles when it reports a change. Completes after that. */
    private CompletableFuture<Void> submit(BooleanSupplier change) {
        return CompletableFuture.runAsync(() -> {
            try {
                if (change.getAsBoolean()) {
                    dirty = true;
                    reconcile();
                }
            } catch (RuntimeException e) {
                log.error("access layer change failed, will retry: {}", e.toString(), e);
            }
        }, loop);
    }

    /** The endpoints HAProxy serves now (for tests and diagnostics). */
    public CompletableFuture<List<ClusterEndpoints>> applied() {
        return CompletableFuture.supplyAsync(() -> applied, loop);
    }

    private void periodic() {
        try {
            if (haproxy.ensureRunning()) {
                dirty = true;
            }
            if (dirty) {
                reconcile();
            } else if (caughtUp) {
                closeStaleSessions();
                publish();
            }
        } catch (RuntimeException e) {
            log.error("access layer pass failed, will retry: {}", e.toString(), e);
        }
    }

    private void reconcile() {
        if (!caughtUp) {
            return;
        }
        List<ClusterEndpoints> desired = new ArrayList<>();
        for (ClusterRoutes routes : state.routes().values()) {
            desired.add(new ClusterEndpoints(routes, ports.portsFor(routes.cluster())));
        }
        Set<String> gone = new TreeSet<>(ports.snapshot().keySet());
        desired.forEach(c -> gone.remove(c.cluster()));
        String config = renderer.render(desired);
        String loaded = haproxy.loadedConfig();
        if (loaded != null && !config.equals(loaded) && loaded.equals(renderer.render(applied))
                && renderer.shape(desired).equals(renderer.shape(applied))) {
            // the same members, only routed differently: switch server states at once, no reload
            List<String> switches = switches(desired);
            haproxy.applyAtRuntime(config, switches);
            log.info("HAProxy switched without a reload {}: {}", switches, describe(desired));
        } else if (haproxy.apply(config)) {
            log.info("HAProxy now serves {} cluster(s): {}", desired.size(), describe(desired));
        }
        applied = List.copyOf(desired);
        dirty = false;
        appliedListener.accept(applied);
        closeStaleSessions();
        for (String cluster : gone) {
            ports.release(cluster);
            published.remove(cluster);
            publishedRw.remove(cluster);
            pendingDeletes.add(cluster);
        }
        publish();
    }

    /** Runtime API commands that turn the applied server states into the desired ones (same members). */
    private List<String> switches(List<ClusterEndpoints> desired) {
        List<String> commands = new ArrayList<>();
        for (ClusterEndpoints d : desired) {
            ClusterRoutes before = applied.stream().filter(c -> c.cluster().equals(d.cluster())).map(ClusterEndpoints::routes)
                    .findFirst().orElseThrow();
            switchSection(commands, d.cluster() + "-rw", d.routes().members(), before.rw(), d.routes().rw());
            switchSection(commands, d.cluster() + "-ro", d.routes().members(), before.ro(), d.routes().ro());
            switchSection(commands, d.cluster() + "-r", d.routes().members(), before.r(), d.routes().r());
        }
        return commands;
    }

    private static void switchSection(List<String> commands, String proxy, List<Server> members, List<Server> before, List<Server> after) {
        // first take servers out (and close their sessions), then put the new ones in
        for (Server s : members) {
            if (before.contains(s) && !after.contains(s)) {
                commands.add("set server " + proxy + "/" + s.name() + " state maint");
                commands.add("shutdown sessions server " + proxy + "/" + s.name());
            }
        }
        for (Server s : members) {
            if (!before.contains(s) && after.contains(s)) {
                commands.add("set server " + proxy + "/" + s.name() + " state ready");
            }
        }
    }

    private void closeStaleSessions() {
        Set<String> keep = new HashSet<>();
        for (ClusterEndpoints c : applied) {
            keepAll(keep, c.cluster() + "-rw", c.routes().rw());
            keepAll(keep, c.cluster() + "-ro", c.routes().ro());
            keepAll(keep, c.cluster() + "-r", c.routes().r());
        }
        haproxy.shutDownStaleSessions(keep);
    }

    private static void keepAll(Set<String> keep, String proxy, List<Server> servers) {
        servers.forEach(s -> keep.add(proxy + "/" + s.name()));
    }

    private static String describe(List<ClusterEndpoints> clusters) {
        StringBuilder out = new StringBuilder();
        for (ClusterEndpoints c : clusters) {
            out.append(out.isEmpty() ? "" : "; ").append(c.cluster()).append(" epoch ").append(c.routes().epoch())
                    .append(" rw:").append(c.ports().rw()).append("->").append(names(c.routes().rw()))
                    .append(" ro:").append(c.ports().ro()).append("->").append(names(c.routes().ro()))
                    .append(" r:").append(c.ports().r()).append("->").append(names(c.routes().r()));
        }
        return out.toString();
    }

    private static List<String> names(List<Server> servers) {
        return servers.stream().map(Server::name).toList();
    }

    private void publish() {
        for (String cluster : List.copyOf(pendingDeletes)) {
            try {
                publisher.deleted(cluster);
                pendingDeletes.remove(cluster);
                log.info("cluster {}: endpoints deleted", cluster);
            } catch (RuntimeException e) {
                log.warn("cluster {}: could not publish the endpoints deletion, will retry: {}", cluster, e.getMessage());
                return;
            }
        }
        for (ClusterEndpoints c : applied) {
            EndpointsRecord last = published.get(c.cluster());
            List<String> rw = names(c.routes().rw());
            if (last != null && last.rwPort() == c.ports().rw() && last.roPort() == c.ports().ro()
                    && last.rPort() == c.ports().r() && last.topologyEpoch() == c.routes().epoch()
                    && rw.equals(publishedRw.get(c.cluster()))) {
                continue;
            }
            EndpointsRecord record = new EndpointsRecord(c.cluster(), listenAddress,
                    c.ports().rw(), c.ports().ro(), c.ports().r(), c.routes().epoch(), clock.instant());
            try {
                publisher.updated(record, c.routes());
                published.put(c.cluster(), record);
                publishedRw.put(c.cluster(), rw);
                log.info("cluster {}: published endpoints rw={} ro={} r={} epoch {}, rw routes to {}", c.cluster(), record.rwPort(),
                        record.roPort(), record.rPort(), record.topologyEpoch(), rw);
            } catch (RuntimeException e) {
                log.warn("cluster {}: could not publish endpoints, will retry: {}", c.cluster(), e.getMessage());
                return;
            }
        }
    }

    /** Stops the loop and HAProxy. */
    @Override
    public void close() {
        Loops.stop(loop);
        haproxy.stop();
    }
}
