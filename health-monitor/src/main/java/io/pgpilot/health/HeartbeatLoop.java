package io.pgpilot.health;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.instance.fencing.PrimaryLeases;
import io.pgpilot.instance.fencing.SelfFence;
import io.pgpilot.instance.heartbeat.HeartbeatAssembler;
import io.pgpilot.instance.heartbeat.HeartbeatOutbox;
import io.pgpilot.instance.probe.InstanceProbe;
import io.pgpilot.instance.probe.PostmasterCheck;
import io.pgpilot.instance.probe.ProbeResult;
import io.pgpilot.instance.probe.SuperuserSecrets;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every interval: probe every known instance in parallel, assemble heartbeats per cluster, keep
 * the latest for the HTTP probes and publish them. A hung instance costs at most the probe timeout.
 */
@Component
class HeartbeatLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

    private final PlatformProperties platform;
    private final HealthProperties health;
    private final EventBus bus;
    /** Where instances live (inventory), the topology and the last heartbeats: the platform's one state view. */
    private final io.pgpilot.events.PlatformState view = new io.pgpilot.events.PlatformState(
            java.util.Set.of(Topics.INSTANCES, Topics.TOPOLOGY, Topics.HEARTBEATS));
    private final SuperuserSecrets secrets;
    private final Map<String, InstanceProbe> probes = new ConcurrentHashMap<>();
    private final Map<String, Long> sequences = new ConcurrentHashMap<>();
    private final ExecutorService probeThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final PrimaryLeases leases = new PrimaryLeases();
    private final io.pgpilot.instance.fencing.FreezeGuard freeze;
    /** Topology primaries seen failing, so that one failure triggers one immediate extra round. */
    private final java.util.Set<String> failingPrimaries = ConcurrentHashMap.newKeySet();
    private HeartbeatOutbox outbox;
    private ScheduledExecutorService ticker;
    private TopicTailer tailer;
    private volatile boolean running;

    HeartbeatLoop(PlatformProperties platform, HealthProperties health, EventBus bus) {
        this.platform = platform;
        this.health = health;
        this.bus = bus;
        this.secrets = new SuperuserSecrets(platform.home());
        this.freeze = new io.pgpilot.instance.fencing.FreezeGuard(health.frozenKillAfter());
    }

    io.pgpilot.events.PlatformState view() {
        return view;
    }

    @Override
    public void start() {
        tailer = new TopicTailer(platform.kafkaBootstrapServers(), "health-monitor",
                // heartbeats: those of instances on other hosts come from their instance managers there
                Map.of(Topics.INSTANCES, TopicTailer.Start.BEGINNING, Topics.TOPOLOGY, TopicTailer.Start.BEGINNING,
                        Topics.HEARTBEATS, TopicTailer.Start.END),
                (topic, key, value) -> view.apply(topic, key, value)).start();
        outbox = new HeartbeatOutbox(bus, leases::accepted);
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("heartbeat").daemon().factory());
        ticker.scheduleAtFixedRate(this::tickSafely, 0, health.interval().toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("heartbeat round failed", e);
        }
    }

    void tick() {
        Instant now = Instant.now();
        List<Heartbeat> round = new ArrayList<>();
        view.instancesByCluster().forEach((cluster, instances) -> {
            List<Future<HeartbeatAssembler.Observation>> pending = instances.stream()
                    .filter(i -> i.phase() != InstanceRecord.Phase.CREATING)
                    .filter(HeartbeatLoop::onThisHost) // another host's instance manager probes and fences its instances
                    .map(i -> probeThreads.submit(() -> observe(i))).toList();
            List<HeartbeatAssembler.Observation> observations = new ArrayList<>();
            for (var future : pending) {
                try {
                    observations.add(future.get(health.probeTimeout().toMillis() + 500, TimeUnit.MILLISECONDS));
                } catch (Exception e) {
                    log.warn("cluster={} probe did not finish: {}", cluster, e.toString());
                }
            }
            round.addAll(HeartbeatAssembler.assemble(cluster, observations, now, sequences));
        });
        var sizes = view.instancesByCluster();
        for (Heartbeat heartbeat : round) {
            view.record(heartbeat);
            leases.observed(heartbeat, sizes.getOrDefault(heartbeat.cluster(), List.of()).size());
            outbox.offer(heartbeat);
        }
        forgetOtherIncarnations();
        enforceLeases(now);
        if (primaryNewlyFailing(round)) {
            // the failover service may only choose among replica positions taken after the failure
            // was seen: a round right away saves it waiting for the next interval
            ticker.execute(this::tickSafely);
        }
        probes.keySet().removeIf(key -> {
            boolean gone = view.instancesByCluster().values().stream().flatMap(List::stream)
                    .noneMatch(i -> probeKey(i).equals(key));
            if (gone) {
                probes.get(key).close();
            }
            return gone;
        });
    }

    /** True when a topology primary that was fine (or not yet watched) is seen not up as primary in this round. */
    private boolean primaryNewlyFailing(List<Heartbeat> round) {
        boolean newly = false;
        for (Heartbeat heartbeat : round) {
            String primary = java.util.Optional.ofNullable(view.topology(heartbeat.cluster())).map(io.pgpilot.events.Topology::primary).orElse(null);
            if (!heartbeat.instance().equals(primary)) {
                continue;
            }
            String key = Topics.instanceKey(heartbeat.cluster(), heartbeat.instance());
            if (heartbeat.isUp() && heartbeat.role() == Heartbeat.Role.PRIMARY) {
                failingPrimaries.remove(key);
            } else if (failingPrimaries.add(key)) {
                log.info("cluster={} instance={} primary seen {} ({}): probing the cluster again at once", heartbeat.cluster(),
                        heartbeat.instance(), heartbeat.state(), heartbeat.role());
                newly = true;
            }
        }
        return newly;
    }

    /** Leases of instances no longer in the inventory with the same incarnation are dropped. */
    private void forgetOtherIncarnations() {
        Map<String, String> inventory = new java.util.HashMap<>();
        view.instancesByCluster().values().stream().flatMap(List::stream)
                .forEach(i -> inventory.put(Topics.instanceKey(i.cluster(), i.instance()), String.valueOf(i.uid())));
        leases.retainIncarnations(inventory);
    }

    /** Safety rule 2: stop an isolated primary (fast shutdown) before the failover service may promote. */
    private void enforceLeases(Instant now) {
        for (String key : leases.due(now, health.selfFenceTimeout())) {
            view.instancesByCluster().values().stream().flatMap(List::stream)
                    .filter(i -> Topics.instanceKey(i.cluster(), i.instance()).equals(key)).findFirst()
                    .ifPresent(instance -> {
                        var event = SelfFence.stop("health-monitor", instance.cluster(), instance.instance(),
                                Path.of(instance.dataDirectory()), health.selfFenceTimeout());
                        leases.signalled(key, now);
                        try {
                            bus.publish(Topics.EVENTS, instance.cluster(), event);
                        } catch (EventBus.PublishException e) {
                            log.debug("self-fence event not published (Kafka unreachable, as expected here)");
                        }
                    });
        }
    }

    private HeartbeatAssembler.Observation observe(InstanceRecord instance) {
        boolean alive = PostmasterCheck.isAlive(Path.of(instance.dataDirectory()));
        String key = probeKey(instance);
        InstanceProbe probe = probes.get(key);
        if (probe == null) {
            var credentials = secrets.forCluster(instance.cluster());
            if (credentials.isEmpty()) {
                return new HeartbeatAssembler.Observation(instance.instance(), alive,
                        new ProbeResult.Unreachable("no superuser secret for cluster yet"), instance.uid());
            }
            probe = new InstanceProbe(instance.host(), instance.port(), credentials.get().username(),
                    credentials.get().password(), health.probeTimeout(), "pgpilot-health-monitor");
            probes.put(key, probe);
        }
        ProbeResult result;
        synchronized (probe) {
            result = alive || instance.phase() == InstanceRecord.Phase.RUNNING ? probe.probe()
                    : new ProbeResult.Unreachable("postmaster is not running");
        }
        if (alive && killedBecauseFrozen(instance, result)) {
            alive = PostmasterCheck.isAlive(Path.of(instance.dataDirectory()));
        }
        if (result instanceof ProbeResult.Unreachable u) {
            log.debug("cluster={} instance={} unreachable: {}", instance.cluster(), instance.instance(), u.reason());
        }
        return new HeartbeatAssembler.Observation(instance.instance(), alive, result, instance.uid());
    }

    /** A topology primary stopped by a signal and not answering for frozen-kill-after is killed ({@code FreezeGuard}). */
    private boolean killedBecauseFrozen(InstanceRecord instance, ProbeResult result) {
        String key = Topics.instanceKey(instance.cluster(), instance.instance());
        var topology = view.topology(instance.cluster());
        if (!freeze.enabled() || topology == null || !instance.instance().equals(topology.primary())) {
            freeze.forget(key);
            return false;
        }
        Path data = Path.of(instance.dataDirectory());
        boolean frozen = result instanceof ProbeResult.Unreachable
                && io.pgpilot.local.Processes.isStopped(io.pgpilot.local.Processes.postmasterPid(data));
        Instant now = Instant.now();
        java.time.Duration frozenFor = freeze.frozenFor(key, now);
        if (!freeze.mustKill(key, frozen, now)) {
            return false;
        }
        var event = SelfFence.killFrozen("health-monitor", instance.cluster(), instance.instance(), data, frozenFor);
        try {
            bus.publish(Topics.EVENTS, instance.cluster(), event);
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} instance={} event {} not published: {}", instance.cluster(), instance.instance(), event.type(),
                    e.getMessage());
        }
        return true;
    }

    /** Whether the instance's postmaster runs on this host (its data directory and process are visible here). */
    static boolean onThisHost(InstanceRecord instance) {
        String host = instance.host();
        return host == null || host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    }

    /**
     * One probe (connection, credentials) per instance of one cluster incarnation on one port: a
     * re-created cluster of the same name has new passwords and maybe new ports.
     */
    private static String probeKey(InstanceRecord instance) {
        return Topics.instanceKey(instance.cluster(), instance.instance()) + "#" + instance.uid() + ":" + instance.port();
    }

    @Override
    public void stop() {
        running = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (tailer != null) {
            tailer.close();
        }
        probes.values().forEach(InstanceProbe::close);
        if (outbox != null) {
            outbox.close();
        }
        probeThreads.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
