package io.pgpilot.health;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** What the monitor knows: where instances live (inventory), the topology, the last heartbeats. */
final class ClusterView {

    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> latest = new ConcurrentHashMap<>();

    void apply(String topic, String key, String value) {
        switch (topic) {
            case Topics.INSTANCES -> {
                if (value == null) {
                    instances.remove(key);
                    latest.remove(key);
                } else {
                    instances.put(key, Json.read(value, InstanceRecord.class));
                }
            }
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    topologies.remove(key);
                } else {
                    Topology topology = Json.read(value, Topology.class);
                    topologies.merge(key, topology, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
                }
            }
            default -> {
            }
        }
    }

    Map<String, List<InstanceRecord>> instancesByCluster() {
        return instances.values().stream().collect(java.util.stream.Collectors.groupingBy(InstanceRecord::cluster));
    }

    Optional<Topology> topology(String cluster) {
        return Optional.ofNullable(topologies.get(cluster));
    }

    void record(Heartbeat heartbeat) {
        if (instances.containsKey(Topics.instanceKey(heartbeat.cluster(), heartbeat.instance()))) {
            latest.put(Topics.instanceKey(heartbeat.cluster(), heartbeat.instance()), heartbeat);
        }
    }

    Optional<Heartbeat> latest(String cluster, String instance) {
        return Optional.ofNullable(latest.get(Topics.instanceKey(cluster, instance)));
    }

    List<Heartbeat> latest(String cluster) {
        return latest.values().stream().filter(h -> h.cluster().equals(cluster))
                .sorted(java.util.Comparator.comparing(Heartbeat::instance)).toList();
    }
}
