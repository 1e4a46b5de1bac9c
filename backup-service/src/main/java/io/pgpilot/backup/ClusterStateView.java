package io.pgpilot.backup;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Topology, inventory and the latest heartbeats, to pick the instance a base backup is taken from. */
@Component
class ClusterStateView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private TopicTailer tailer;
    private volatile boolean running;

    ClusterStateView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        tailer = new TopicTailer(platform.kafkaBootstrapServers(), "backup-service-state", Map.of(
                Topics.TOPOLOGY, TopicTailer.Start.BEGINNING,
                Topics.INSTANCES, TopicTailer.Start.BEGINNING,
                Topics.HEARTBEATS, TopicTailer.Start.END), this::apply).start();
        running = true;
    }

    private void apply(String topic, String key, String value) {
        switch (topic) {
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    topologies.remove(key);
                } else {
                    Topology t = Json.read(value, Topology.class);
                    topologies.merge(key, t, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
                }
            }
            case Topics.INSTANCES -> {
                if (value == null) {
                    instances.remove(key);
                } else {
                    instances.put(key, Json.read(value, InstanceRecord.class));
                }
            }
            case Topics.HEARTBEATS -> {
                if (value != null) {
                    Heartbeat h = Json.read(value, Heartbeat.class);
                    heartbeats.merge(Topics.instanceKey(h.cluster(), h.instance()), h,
                            (old, fresh) -> fresh.observedAt().isBefore(old.observedAt()) ? old : fresh);
                }
            }
            default -> {
            }
        }
    }

    Topology topology(String cluster) {
        return topologies.get(cluster);
    }

    Map<String, InstanceRecord> instances(String cluster) {
        return instances.values().stream().filter(i -> i.cluster().equals(cluster))
                .collect(Collectors.toMap(InstanceRecord::instance, i -> i));
    }

    Map<String, Heartbeat> heartbeats(String cluster) {
        return heartbeats.values().stream().filter(h -> h.cluster().equals(cluster))
                .collect(Collectors.toMap(Heartbeat::instance, h -> h));
    }

    @Override
    public void stop() {
        running = false;
        if (tailer != null) {
            tailer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
