package io.pgpilot.instance.runtime;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.fencing.PrimaryLeases;
import io.pgpilot.instance.fencing.SelfFence;
import io.pgpilot.instance.heartbeat.HeartbeatAssembler;
import io.pgpilot.instance.heartbeat.HeartbeatOutbox;
import io.pgpilot.instance.http.CheckServer;
import io.pgpilot.instance.probe.InstanceProbe;
import io.pgpilot.instance.probe.PostmasterCheck;
import io.pgpilot.instance.probe.ProbeResult;
import io.pgpilot.instance.probe.SuperuserSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Beside one PostgreSQL instance: probes it locally every interval, publishes its heartbeat
 * (the health monitor's record, key and topic), keeps its self-fence lease and stops it when the
 * lease runs out (safety rule 2, enforced on the instance's own host), and answers the
 * {@code /primary}, {@code /replica}, {@code /health} checks. Starts without Kafka: a Kafka that is
 * away at start is the same as one that goes away later.
 */
public final class InstanceManager implements AutoCloseable {

    static final String SOURCE = "instance-manager";
    private static final Logger log = LoggerFactory.getLogger(InstanceManager.class);

    private final InstanceManagerConfig config;
    private final String key;
    private final InstanceProbe probe;
    /** Kafka's client loads on its own thread: probes, fencing and checks do not wait for it. */
    private final CompletableFuture<EventBus> bus;
    private final PrimaryLeases leases = new PrimaryLeases();
    private final Map<String, Long> sequences = new HashMap<>();
    private final LinkedBlockingQueue<PlatformEvent> events = new LinkedBlockingQueue<>();
    private final AtomicLong accepted = new AtomicLong();
    private final CompletableFuture<HeartbeatOutbox> outbox;
    private final ScheduledExecutorService ticker;
    private final Thread eventPublisher;
    private final CheckServer checks;
    private volatile Heartbeat latest;
    /** The role of the last heartbeat that found it up. */
    private volatile Heartbeat.Role lastRole;
    private final io.pgpilot.instance.fencing.FreezeGuard freeze;

    private InstanceManager(InstanceManagerConfig config) {
        this.config = config;
        this.key = Topics.instanceKey(config.cluster(), config.instance());
        this.freeze = new io.pgpilot.instance.fencing.FreezeGuard(config.frozenKillAfter());
        SuperuserSecrets.Credentials credentials = SuperuserSecrets.read(config.credentialsFile());
        this.probe = new InstanceProbe(config.host(), config.port(), credentials.username(), credentials.password(),
                config.probeTimeout(), "pgpilot-instance-manager");
        Duration sendTimeout = config.heartbeatInterval().multipliedBy(2).compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1) : config.heartbeatInterval().multipliedBy(2);
        this.bus = CompletableFuture.supplyAsync(() -> new EventBus(config.kafkaBootstrapServers(),
                "pgpilot-instance-manager-" + config.instance(), sendTimeout), command -> Thread.ofPlatform().name("kafka-client").daemon().start(command));
        this.outbox = bus.thenApply(eventBus -> new HeartbeatOutbox(eventBus, heartbeat -> {
            if (accepted.incrementAndGet() == 1) {
                log.info("cluster={} instance={} first heartbeat accepted by Kafka", config.cluster(), config.instance());
            }
            leases.accepted(heartbeat);
        }));
        this.checks = CheckServer.start(config.httpAddress(), config.httpPort(), () -> latest,
                config.heartbeatInterval().multipliedBy(3));
        this.eventPublisher = Thread.ofPlatform().name("event-publisher").daemon().start(this::publishEvents);
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("probe").daemon().factory());
        ticker.scheduleAtFixedRate(this::tickSafely, 0, config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts the loops and the check server; throws when the check address cannot be bound or credentials are unusable. */
    public static InstanceManager start(InstanceManagerConfig config) {
        InstanceManager manager = new InstanceManager(config);
        log.info("cluster={} instance={} instance manager up: probing {}:{} every {} ms, self-fence after {} ms, checks on {}",
                config.cluster(), config.instance(), config.host(), config.port(), config.heartbeatInterval().toMillis(),
                config.selfFenceTimeout().toMillis(), manager.checks.address());
        return manager;
    }

    /** Where the checks answer (the port is the bound one when 0 was configured). */
    public java.net.InetSocketAddress checkAddress() {
        return checks.address();
    }

    /**
     * Completes when the Kafka client is loaded; exceptionally when it cannot be created (e.g. no
     * bootstrap server resolves): without it no lease ever starts, so the caller should stop.
     */
    public CompletableFuture<?> kafkaClient() {
        return outbox;
    }

    /** Heartbeats Kafka acknowledged since start. */
    public long acceptedHeartbeats() {
        return accepted.get();
    }

    private void tickSafely() {
        try {
            tick(Instant.now());
        } catch (RuntimeException e) {
            log.error("cluster={} instance={} probe round failed", config.cluster(), config.instance(), e);
        }
    }

    private void tick(Instant now) {
        boolean alive = PostmasterCheck.isAlive(config.dataDirectory());
        ProbeResult result = alive ? probe.probe() : new ProbeResult.Unreachable("postmaster is not running");
        if (alive && killedBecauseFrozen(result, now)) {
            alive = PostmasterCheck.isAlive(config.dataDirectory());
        }
        List<Heartbeat> round = HeartbeatAssembler.assemble(config.cluster(),
                List.of(new HeartbeatAssembler.Observation(config.instance(), alive, result, config.uid())), now, sequences);
        Heartbeat heartbeat = round.getFirst();
        latest = heartbeat;
        if (heartbeat.isUp()) {
            lastRole = heartbeat.role();
        }
        leases.observed(heartbeat, config.clusterSize());
        if (outbox.isDone() && !outbox.isCompletedExceptionally()) {
            outbox.join().offer(heartbeat); // until the client is loaded, heartbeats count as not accepted
        }
        for (String due : leases.due(now, config.selfFenceTimeout())) {
            if (due.equals(key)) {
                events.add(SelfFence.stop(SOURCE, config.cluster(), config.instance(), config.dataDirectory(),
                        config.selfFenceTimeout()));
                leases.signalled(key, now);
            }
        }
    }

    /**
     * Last seen as primary, now stopped by a signal and not answering for frozen-kill-after: killed
     * ({@link io.pgpilot.instance.fencing.FreezeGuard}); the event waits for Kafka like a self-fence's.
     */
    private boolean killedBecauseFrozen(ProbeResult result, Instant now) {
        boolean wasPrimary = lastRole == Heartbeat.Role.PRIMARY; // its role when it last answered
        long pid = io.pgpilot.local.Processes.postmasterPid(config.dataDirectory());
        boolean frozen = wasPrimary && result instanceof ProbeResult.Unreachable && io.pgpilot.local.Processes.isStopped(pid);
        java.time.Duration frozenFor = freeze.frozenFor(key, now);
        if (!freeze.mustKill(key, frozen, now)) {
            return false;
        }
        events.add(SelfFence.killFrozen(SOURCE, config.cluster(), config.instance(), config.dataDirectory(), frozenFor));
        return true;
    }

    /** Self-fence events wait here until Kafka takes them: the fence happened while Kafka was away. */
    private void publishEvents() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                PlatformEvent event = events.take();
                EventBus bus = this.bus.get();
                while (true) {
                    try {
                        bus.publish(Topics.EVENTS, config.cluster(), event);
                        log.info("cluster={} instance={} published {}", config.cluster(), config.instance(), event.type());
                        break;
                    } catch (EventBus.PublishException e) {
                        Thread.sleep(config.heartbeatInterval().toMillis()); // Kafka still away: try again next interval
                    }
                }
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                return; // stopping, or no Kafka client at all (kafkaClient() says so)
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        eventPublisher.interrupt();
        checks.close();
        outbox.thenAccept(HeartbeatOutbox::close);
        probe.close();
        bus.thenAccept(EventBus::close);
        log.info("cluster={} instance={} instance manager stopped", config.cluster(), config.instance());
    }
}
