package io.pgpilot.services.pooler;

import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.events.PoolerStatusRecord.Phase;
import io.pgpilot.local.OsUser;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.Names;
import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerValidator;
import io.pgpilot.services.ClusterEndpoints;
import io.pgpilot.services.PortStore;
import io.pgpilot.services.pooler.PgBouncerConfig.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PgBouncer processes of every pooler and keeps them in line with the pooler specs and the
 * access layer's routes: as many processes as {@code spec.instances} on the pooler's own port, the
 * target re-pointed (RELOAD, clients stay connected) when the routes change, PAUSE/RESUME from
 * {@code spec.pgbouncer.paused}, and a hold around planned switchovers ({@link #holdForSwitchover}):
 * the cluster's rw poolers pause (running transactions finish, new queries wait), and resume on the
 * new primary as soon as the access layer routes rw to it. Everything runs on one thread that owns
 * the state; nothing is applied before {@link #markCaughtUp()}.
 */
public final class PoolerSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolerSupervisor.class);
    /** How long after its pause timeout a switchover hold is released even if rw never moved. */
    private static final Duration HOLD_GRACE = Duration.ofSeconds(30);

    /** Where statuses and events go (Kafka in the service). */
    public interface Publisher {
        void status(PoolerStatusRecord status);

        void deleted(String pooler, String cluster);

        void event(String cluster, String type, Map<String, Object> data);
    }

    /** What a switchover hold achieved: how many poolers paused and whether they all drained in time. */
    public record HoldResult(int poolers, boolean drained) {
    }

    private record Hold(Target from, Instant releaseBy) {
    }

    private static final class Running {
        PoolerDefinition definition;
        final List<PgBouncerProcess> processes = new ArrayList<>();
        Target target;
        boolean paused;
        PoolerStatusRecord published;
    }

    private final Path dir;
    private final Path secretsDir;
    private final PortStore ports;
    private final String binary;
    private final String listenAddress;
    private final OsUser user;
    private final Publisher publisher;
    private final Clock clock;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("poolers").daemon().factory());
    private final Map<String, PoolerSpecRecord> specs = new HashMap<>();
    private final Map<String, Running> running = new HashMap<>();
    private final Map<String, Hold> holds = new HashMap<>();
    private volatile Map<String, List<PgBouncerProcess>> snapshot = Map.of();
    private Map<String, ClusterEndpoints> endpoints = Map.of();
    private boolean caughtUp;

    public PoolerSupervisor(Path dir, Path secretsDir, PortStore ports, String binary, String listenAddress, OsUser user,
                            Publisher publisher, Clock clock) {
        this.dir = dir;
        this.secretsDir = secretsDir;
        this.ports = ports;
        this.binary = binary;
        this.listenAddress = listenAddress;
        this.user = user;
        this.publisher = publisher;
        this.clock = clock;
    }

    public PoolerSupervisor start(Duration resyncInterval) {
        loop.scheduleWithFixedDelay(this::reconcileAll, resyncInterval.toMillis(), resyncInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public CompletableFuture<Void> markCaughtUp() {
        return submit(() -> caughtUp = true);
    }

    /** A pooler spec, or its tombstone (null). */
    public CompletableFuture<Void> onSpec(String name, PoolerSpecRecord spec) {
        return submit(() -> {
            if (spec == null) {
                specs.remove(name);
            } else {
                specs.put(name, spec);
            }
        });
    }

    /** What the access layer serves now, after every change of routes. */
    public CompletableFuture<Void> onEndpoints(List<ClusterEndpoints> applied) {
        Map<String, ClusterEndpoints> byCluster = new HashMap<>();
        applied.forEach(c -> byCluster.put(c.cluster(), c));
        return submit(() -> endpoints = Map.copyOf(byCluster));
    }

    /**
     * Pauses the cluster's transaction-mode rw poolers before a planned switchover (a session-mode
     * pool releases server connections only when clients leave): returns once every running
     * transaction finished (or {@code timeout} passed); new queries wait inside PgBouncer until the
     * access layer routes rw to another instance, then they run there.
     */
    public CompletableFuture<HoldResult> holdForSwitchover(String cluster, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            int poolers = 0;
            boolean drained = true;
            for (Running r : running.values()) {
                if (!r.definition.cluster().equals(cluster) || r.definition.type() != PoolerDefinition.Type.RW
                        || r.definition.poolMode() != PoolerDefinition.PoolMode.TRANSACTION || r.target == null) {
                    continue;
                }
                poolers++;
                holds.put(cluster, new Hold(r.target, clock.instant().plus(timeout).plus(HOLD_GRACE)));
                drained &= pauseAll(r.processes, timeout);
                r.paused = true;
                publisher.event(cluster, "pooler.paused", Map.of("pooler", r.definition.name(), "reason", "switchover",
                        "drained", drained));
            }
            return new HoldResult(poolers, drained);
        }, loop);
    }

    /** PAUSE on every process at once (each returns when its own transactions are done). */
    private static boolean pauseAll(List<PgBouncerProcess> processes, Duration timeout) {
        List<CompletableFuture<Boolean>> pauses = processes.stream()
                .map(p -> CompletableFuture.supplyAsync(() -> p.pauseAndWait(timeout), task -> Thread.ofVirtual().start(task)))
                .toList();
        return pauses.stream().allMatch(CompletableFuture::join);
    }

    /** Processes per pooler for the metrics scrape (read on the caller's thread). */
    public Map<String, List<PgBouncerProcess>> processes() {
        return snapshot;
    }

    private CompletableFuture<Void> submit(Runnable change) {
        return CompletableFuture.runAsync(() -> {
            change.run();
            reconcileAll();
        }, loop);
    }

    private void reconcileAll() {
        if (!caughtUp) {
            return;
        }
        for (String name : new TreeSet<>(specs.keySet())) {
            try {
                reconcile(name, specs.get(name));
            } catch (RuntimeException e) {
                log.error("pooler={} reconcile failed, will retry: {}", name, e.getMessage(), e);
                Running r = running.get(name);
                publish(name, r, r == null ? null : r.definition, Phase.FAILED, String.valueOf(e.getMessage()), specs.get(name));
            }
        }
        for (String name : new TreeSet<>(running.keySet())) {
            if (!specs.containsKey(name)) {
                remove(name);
            }
        }
        Map<String, List<PgBouncerProcess>> next = new HashMap<>();
        running.forEach((name, r) -> next.put(name, List.copyOf(r.processes)));
        snapshot = Map.copyOf(next);
    }

    private void reconcile(String name, PoolerSpecRecord spec) {
        PoolerDefinition definition;
        try {
            definition = PoolerValidator.validate(spec.manifest());
        } catch (ManifestException e) {
            publish(name, running.get(name), null, Phase.FAILED, "invalid spec: " + e.getMessage(), spec);
            return;
        }
        Running r = running.computeIfAbsent(name, n -> new Running());
        PoolerDefinition previous = r.definition;
        r.definition = definition;
        ClusterEndpoints cluster = endpoints.get(definition.cluster());
        if (cluster == null) {
            stopProcesses(r, 0);
            publish(name, r, definition, Phase.WAITING_FOR_CLUSTER, "cluster " + definition.cluster() + " has no endpoints", spec);
            return;
        }
        if (definition.authQuerySecret() != null && Names.platformSecret(definition.authQuerySecret())) {
            publish(name, r, definition, Phase.FAILED, "authQuerySecret " + definition.authQuerySecret() + " is a platform secret", spec);
            return;
        }
        String secret = definition.authQuerySecret() != null ? definition.authQuerySecret() : definition.cluster() + "-pooler";
        Optional<PoolerCredentials> credentials = PoolerCredentials.read(secretsDir, secret);
        Optional<Target> routed = PoolerTarget.of(definition, cluster, listenAddress);
        Target target = routed.orElse(r.target);
        if (credentials.isEmpty() || target == null) {
            publish(name, r, definition, Phase.WAITING_FOR_CLUSTER, credentials.isEmpty() ? "secret " + secret
                    + " not found" : "no instance accepts writes yet", spec);
            return;
        }
        PoolerFiles files = new PoolerFiles(user, dir.resolve(name));
        boolean authChanged = files.write(credentials.get(), secretsDir.resolve(definition.cluster() + "-ca.crt"));
        Path serverCa = java.nio.file.Files.isRegularFile(files.serverCa()) ? files.serverCa() : null;
        int port = ports.baseFor(name);
        boolean repointed = r.target != null && !r.target.equals(target);
        if (repointed) {
            log.info("pooler={} cluster={} repointed {} -> {}", name, definition.cluster(), r.target, target);
            publisher.event(definition.cluster(), "pooler.repointed", Map.of("pooler", name, "from", r.target.toString(),
                    "to", target.toString()));
        }
        r.target = target;
        stopProcesses(r, definition.instances());
        for (int i = 1; i <= definition.instances(); i++) {
            PgBouncerProcess process;
            boolean known = i <= r.processes.size();
            if (known) {
                process = r.processes.get(i - 1);
            } else {
                process = new PgBouncerProcess(binary, user, files.instanceDirectory(i), port, files.adminPassfile());
                r.processes.add(process);
            }
            boolean changed = process.writeConfig(PgBouncerConfig.ini(definition, listenAddress, port, process.directory(),
                    files.hba(), files.authFile(), credentials.get().username(), serverCa, target));
            if (!process.running()) {
                process.start();
                log.info("pooler={} cluster={} process {} started on {}:{} -> {}", name, definition.cluster(), i, listenAddress, port, target);
            } else {
                if (changed || authChanged || !known) {
                    process.reload();
                }
                if (!known) {
                    process.resume(); // left by an earlier run in an unknown state; the pause rule below decides
                }
            }
        }
        if (previous == null) {
            publisher.event(definition.cluster(), "pooler.created", Map.of("pooler", name, "port", port,
                    "instances", definition.instances(), "type", definition.type().suffix()));
        }
        applyPause(r, definition, target);
        publish(name, r, definition, r.paused ? Phase.PAUSED : Phase.READY, null, spec);
    }

    /** Paused when the manifest says so or while a switchover hold of its cluster lasts. */
    private void applyPause(Running r, PoolerDefinition definition, Target target) {
        Hold hold = definition.type() == PoolerDefinition.Type.RW ? holds.get(definition.cluster()) : null;
        if (hold != null && (!hold.from().equals(target) || clock.instant().isAfter(hold.releaseBy()))) {
            holds.remove(definition.cluster());
            hold = null;
        }
        boolean wanted = definition.paused() || hold != null;
        if (wanted == r.paused) {
            return;
        }
        if (wanted) {
            pauseAll(r.processes, Duration.ofSeconds(30));
        } else {
            r.processes.forEach(PgBouncerProcess::resume);
        }
        r.paused = wanted;
        publisher.event(definition.cluster(), wanted ? "pooler.paused" : "pooler.resumed", Map.of("pooler", definition.name(),
                "reason", definition.paused() ? "spec.pgbouncer.paused" : "switchover"));
    }

    private void stopProcesses(Running r, int keep) {
        while (r.processes.size() > keep) {
            PgBouncerProcess process = r.processes.removeLast();
            process.stop();
            PoolerFiles.deleteInstance(process.directory());
        }
    }

    private void remove(String name) {
        Running r = running.remove(name);
        stopProcesses(r, 0);
        new PoolerFiles(user, dir.resolve(name)).delete();
        ports.release(name);
        String cluster = r.definition == null ? null : r.definition.cluster();
        publisher.deleted(name, cluster);
        log.info("pooler={} deleted", name);
    }

    private void publish(String name, Running r, PoolerDefinition definition, Phase phase, String message, PoolerSpecRecord spec) {
        int port = ports.snapshot().getOrDefault(name, 0);
        int runningCount = r == null ? 0 : (int) r.processes.stream().filter(PgBouncerProcess::running).count();
        PoolerStatusRecord status = new PoolerStatusRecord(name, definition == null ? null : definition.cluster(),
                definition == null ? null : definition.type().suffix(), listenAddress, port,
                definition == null ? 0 : definition.instances(), runningCount, r != null && r.paused,
                r == null || r.target == null ? null : r.target.toString(), phase, message, spec == null ? 0 : spec.generation(),
                clock.instant());
        PoolerStatusRecord last = r == null ? null : r.published;
        if (last != null && sameExceptTime(last, status)) {
            return;
        }
        publisher.status(status);
        if (r != null) {
            r.published = status;
        }
    }

    private static boolean sameExceptTime(PoolerStatusRecord a, PoolerStatusRecord b) {
        return Objects.equals(a.cluster(), b.cluster()) && Objects.equals(a.type(), b.type()) && a.port() == b.port()
                && a.instances() == b.instances() && a.running() == b.running() && a.paused() == b.paused()
                && Objects.equals(a.target(), b.target()) && a.phase() == b.phase() && Objects.equals(a.message(), b.message())
                && a.generation() == b.generation();
    }

    /** Stops the loop and every PgBouncer process, like the access layer stops HAProxy (data stays: specs are on Kafka). */
    @Override
    public void close() {
        io.pgpilot.services.Loops.stop(loop);
        running.values().forEach(r -> r.processes.forEach(PgBouncerProcess::stop));
    }
}
