package io.pgpilot.failover;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topology;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Adapter around {@link TopologyDecider}: keeps the latest view from Kafka, runs the decider for
 * every cluster on a fixed cadence and is the only writer of the topology topic.
 */
@Component
class FailoverCoordinator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);

    private final PlatformProperties platform;
    private final FailoverProperties settings;
    private final EventBus bus;
    private final Set<String> clusters = ConcurrentHashMap.newKeySet();
    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, Long> lastEpochs = new ConcurrentHashMap<>();
    private final Set<String> reportedConflicts = ConcurrentHashMap.newKeySet();
    private TopicTailer stateTailer;
    private TopicTailer heartbeatTailer;
    private ScheduledExecutorService ticker;
    private volatile boolean running;

    FailoverCoordinator(PlatformProperties platform, FailoverProperties settings, EventBus bus) {
        this.platform = platform;
        this.settings = settings;
        this.bus = bus;
    }

    @Override
    public void start() {
        stateTailer = new TopicTailer(platform.kafkaBootstrapServers(), "failover-state", Map.of(
                Topics.SPECS, TopicTailer.Start.BEGINNING,
                Topics.INSTANCES, TopicTailer.Start.BEGINNING,
                Topics.TOPOLOGY, TopicTailer.Start.BEGINNING), this::applyState).start();
        heartbeatTailer = new TopicTailer(platform.kafkaBootstrapServers(), "failover-heartbeats",
                Map.of(Topics.HEARTBEATS, TopicTailer.Start.END), this::applyHeartbeat).start();
        try {
            // never decide from a partial view of the topology: epochs must continue, not restart
            if (!stateTailer.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read the current topology from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("decide").daemon().factory());
        ticker.scheduleWithFixedDelay(this::decideAll, 0, settings.decisionInterval().toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    private void applyState(String topic, String key, String value) {
        switch (topic) {
            case Topics.SPECS -> {
                if (value == null) {
                    clusters.remove(key);
                    if (topologies.remove(key) != null) {
                        publishQuietly(() -> bus.tombstone(Topics.TOPOLOGY, key));
                    }
                } else {
                    clusters.add(key);
                }
            }
            case Topics.INSTANCES -> {
                if (value == null) {
                    instances.remove(key);
                } else {
                    instances.put(key, Json.read(value, InstanceRecord.class));
                }
            }
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    topologies.remove(key);
                } else {
                    Topology topology = Json.read(value, Topology.class);
                    lastEpochs.merge(key, topology.epoch(), Math::max);
                    topologies.merge(key, topology, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
                }
            }
            default -> {
            }
        }
    }

    private void applyHeartbeat(String topic, String key, String value) {
        Heartbeat heartbeat = Json.read(value, Heartbeat.class);
        heartbeats.merge(Topics.instanceKey(heartbeat.cluster(), heartbeat.instance()), heartbeat,
                (old, fresh) -> fresh.observedAt().isBefore(old.observedAt()) ? old : fresh);
    }

    private void decideAll() {
        for (String cluster : clusters) {
            try {
                decide(cluster);
            } catch (RuntimeException e) {
                log.error("cluster={} decision failed", cluster, e);
            }
        }
    }

    private void decide(String cluster) {
        List<String> members = instances.values().stream().filter(i -> i.cluster().equals(cluster))
                .map(InstanceRecord::instance).sorted().toList();
        Map<String, Heartbeat> beats = new java.util.HashMap<>();
        for (String member : members) {
            Heartbeat h = heartbeats.get(Topics.instanceKey(cluster, member));
            if (h != null) {
                beats.put(member, h);
            }
        }
        var observation = new ClusterObservation(cluster, members, beats, topologies.get(cluster),
                lastEpochs.getOrDefault(cluster, 0L), Instant.now(), settings.heartbeatTimeout());
        switch (TopologyDecider.decide(observation)) {
            case Decision.Unchanged u -> {
            }
            case Decision.PublishTopology p -> {
                bus.publish(Topics.TOPOLOGY, cluster, p.next());
                topologies.put(cluster, p.next());
                lastEpochs.merge(cluster, p.next().epoch(), Math::max);
                reportedConflicts.remove(cluster);
                log.info("cluster={} epoch={} primary={} replicas={}: {}", cluster, p.next().epoch(),
                        p.next().primary(), p.next().replicas(), p.message());
                publishQuietly(() -> bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("failover-service", p.eventType(),
                        cluster, p.next().primary(), Map.of("epoch", p.next().epoch(), "primary", p.next().primary(),
                                "replicas", p.next().replicas(), "timeline", p.next().timeline(), "message", p.message()))));
            }
            case Decision.Conflict c -> {
                if (reportedConflicts.add(cluster)) {
                    log.error("cluster={} {}", cluster, c.message());
                    publishQuietly(() -> bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("failover-service",
                            "topology.conflict", cluster, null, Map.of("message", c.message()))));
                }
            }
        }
    }

    private static void publishQuietly(Runnable publish) {
        try {
            publish.run();
        } catch (EventBus.PublishException e) {
            log.warn("event not published: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (heartbeatTailer != null) {
            heartbeatTailer.close();
        }
        if (stateTailer != null) {
            stateTailer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** For the HTTP view: the topology in force per cluster. */
    Map<String, Topology> topologies() {
        return Map.copyOf(topologies);
    }
}
