package io.pgpilot.gateway;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Incarnation;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topology;
import io.pgpilot.gateway.security.AuditTrail;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The gateway's read model, built from the platform's topics. */
@Component
class PlatformView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final Map<String, ClusterSpecRecord> specs = new ConcurrentHashMap<>();
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, EndpointsRecord> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, ClusterStatus.LastEvent> lastEvents = new ConcurrentHashMap<>();
    private TopicTailer state;
    private TopicTailer live;
    private TopicTailer events;
    private volatile boolean running;

    PlatformView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        state = new TopicTailer(platform.kafkaBootstrapServers(), "gateway-state", Map.of(
                Topics.SPECS, TopicTailer.Start.BEGINNING,
                Topics.TOPOLOGY, TopicTailer.Start.BEGINNING,
                Topics.INSTANCES, TopicTailer.Start.BEGINNING,
                Topics.ENDPOINTS, TopicTailer.Start.BEGINNING), this::apply).start();
        live = new TopicTailer(platform.kafkaBootstrapServers(), "gateway-heartbeats",
                Map.of(Topics.HEARTBEATS, TopicTailer.Start.END), this::apply).start();
        // the latest event per cluster, for the status' progress (not awaited: status works without it)
        events = new TopicTailer(platform.kafkaBootstrapServers(), "gateway-last-events",
                Map.of(Topics.EVENTS, TopicTailer.Start.BEGINNING), this::apply).start();
        try {
            if (!state.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read the platform state from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        running = true;
    }

    private void apply(String topic, String key, String value) {
        switch (topic) {
            case Topics.SPECS -> put(specs, key, value, ClusterSpecRecord.class);
            case Topics.INSTANCES -> put(instances, key, value, InstanceRecord.class);
            case Topics.ENDPOINTS -> put(endpoints, key, value, EndpointsRecord.class);
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    topologies.remove(key);
                } else {
                    Topology t = Json.read(value, Topology.class);
                    topologies.merge(key, t, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
                }
            }
            case Topics.EVENTS -> {
                PlatformEvent read = key == null || value == null ? null : Json.read(value, PlatformEvent.class);
                // audit records say who called the API, not how the cluster is doing
                if (read != null && !(PlatformEvent.PREFIX + AuditTrail.TYPE).equals(read.type())) {
                    ClusterStatus.LastEvent event = lastEvent(read);
                    lastEvents.merge(key, event, (old, fresh) -> fresh.time() != null && old.time() != null
                            && fresh.time().isBefore(old.time()) ? old : fresh);
                }
            }
            case Topics.HEARTBEATS -> {
                Heartbeat h = Json.read(value, Heartbeat.class);
                heartbeats.merge(Topics.instanceKey(h.cluster(), h.instance()), h,
                        (old, fresh) -> fresh.observedAt().isBefore(old.observedAt()) ? old : fresh);
            }
            default -> {
            }
        }
    }

    static ClusterStatus.LastEvent lastEvent(PlatformEvent event) {
        Map<String, Object> data = event.data() == null ? Map.of() : event.data();
        Object message = data.getOrDefault("message", data.get("reason"));
        return new ClusterStatus.LastEvent(event.type(), event.instance(), message == null ? null : String.valueOf(message),
                event.time(), data.get("step") instanceof Number n ? n.intValue() : null,
                data.get("of") instanceof Number n ? n.intValue() : null);
    }

    private static <T> void put(Map<String, T> map, String key, String value, Class<T> type) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, Json.read(value, type));
        }
    }

    /** Records that this gateway itself published, visible at once (read-your-writes). */
    void accepted(String cluster, ClusterSpecRecord spec) {
        if (spec == null) {
            specs.remove(cluster);
        } else {
            specs.put(cluster, spec);
        }
    }

    Map<String, ClusterSpecRecord> specs() {
        return Map.copyOf(specs);
    }

    Optional<ClusterSpecRecord> spec(String cluster) {
        return Optional.ofNullable(specs.get(cluster));
    }

    /** The uid of the cluster's incarnation in force (null: none, or a spec from before incarnations). */
    private String uid(String cluster) {
        ClusterSpecRecord spec = specs.get(cluster);
        return spec == null ? null : spec.uid();
    }

    /** The topology of the incarnation in force only: a deleted cluster's topology is not this one's. */
    Topology topology(String cluster) {
        Topology t = topologies.get(cluster);
        return t != null && Incarnation.same(t.uid(), uid(cluster)) ? t : null;
    }

    EndpointsRecord endpoints(String cluster) {
        return endpoints.get(cluster);
    }

    Map<String, InstanceRecord> instances(String cluster) {
        String uid = uid(cluster);
        return instances.values().stream().filter(i -> i.cluster().equals(cluster) && Incarnation.same(i.uid(), uid))
                .collect(Collectors.toMap(InstanceRecord::instance, i -> i));
    }

    ClusterStatus.LastEvent lastEvent(String cluster) {
        return lastEvents.get(cluster);
    }

    Map<String, Heartbeat> heartbeats(String cluster) {
        String uid = uid(cluster);
        return heartbeats.values().stream().filter(h -> h.cluster().equals(cluster) && Incarnation.same(h.uid(), uid))
                .collect(Collectors.toMap(Heartbeat::instance, h -> h));
    }

    @Override
    public void stop() {
        running = false;
        if (live != null) {
            live.close();
        }
        if (events != null) {
            events.close();
        }
        if (state != null) {
            state.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
