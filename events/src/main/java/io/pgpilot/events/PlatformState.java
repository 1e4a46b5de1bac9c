package io.pgpilot.events;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The one view of the platform's state topics, pure (no Kafka) and safe to read from any thread
 * while one thread applies records. The merge rules live here once:
 * <ul>
 *   <li>specs, inventory and endpoints: the latest record per key; a tombstone removes it;</li>
 *   <li>topology: the highest epoch per cluster (a late record of an older epoch is ignored, so a
 *       decision published by a deposed writer cannot replace a newer one); a tombstone removes it;</li>
 *   <li>heartbeats: the newest observation per instance, kept only for instances in the inventory
 *       when the view follows the inventory.</li>
 * </ul>
 * When the view follows the specs topic, what it answers about a cluster belongs to the incarnation
 * in force ({@link Incarnation}): records of a deleted cluster of the same name are not returned.
 * An unreadable record is refused with an exception and leaves the view unchanged.
 */
public final class PlatformState {

    /** What a record changed. */
    public enum Change { NONE, SPEC, TOPOLOGY, INSTANCE, ENDPOINTS, HEARTBEAT }

    private final Set<String> topics;
    private final Map<String, ClusterSpecRecord> specs = new ConcurrentHashMap<>();
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, EndpointsRecord> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();

    /** @param topics the topics this view follows (any of specs, topology, inventory, endpoints, heartbeats) */
    public PlatformState(Set<String> topics) {
        for (String topic : topics) {
            if (!List.of(Topics.SPECS, Topics.TOPOLOGY, Topics.INSTANCES, Topics.ENDPOINTS, Topics.HEARTBEATS).contains(topic)) {
                throw new IllegalArgumentException(topic + " is not a platform state topic");
            }
        }
        this.topics = Set.copyOf(topics);
    }

    public Set<String> topics() {
        return topics;
    }

    /** Applies one record ({@code value} null: tombstone) of a followed topic. */
    public Change apply(String topic, String key, String value) {
        if (!topics.contains(topic)) {
            return Change.NONE;
        }
        return switch (topic) {
            case Topics.SPECS -> replace(specs, key, value, ClusterSpecRecord.class) ? Change.SPEC : Change.NONE;
            case Topics.INSTANCES -> {
                boolean changed = replace(instances, key, value, InstanceRecord.class);
                if (value == null) {
                    heartbeats.remove(key);
                }
                yield changed ? Change.INSTANCE : Change.NONE;
            }
            case Topics.ENDPOINTS -> replace(endpoints, key, value, EndpointsRecord.class) ? Change.ENDPOINTS : Change.NONE;
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    yield topologies.remove(key) != null ? Change.TOPOLOGY : Change.NONE;
                }
                Topology fresh = Json.read(value, Topology.class);
                Topology before = topologies.get(key);
                Topology kept = topologies.merge(key, fresh, (old, next) -> next.newerThan(old) ? next : old);
                yield kept != before ? Change.TOPOLOGY : Change.NONE;
            }
            case Topics.HEARTBEATS -> value == null ? Change.NONE : record(Json.read(value, Heartbeat.class));
            default -> Change.NONE;
        };
    }

    /**
     * A heartbeat this process observed or received: kept when it is the newest of its instance (and,
     * when the view follows the inventory, the instance is in it).
     */
    public Change record(Heartbeat heartbeat) {
        String key = Topics.instanceKey(heartbeat.cluster(), heartbeat.instance());
        if (topics.contains(Topics.INSTANCES) && !instances.containsKey(key)) {
            return Change.NONE;
        }
        Heartbeat before = heartbeats.get(key);
        Heartbeat kept = heartbeats.merge(key, heartbeat,
                (old, fresh) -> fresh.observedAt().isBefore(old.observedAt()) ? old : fresh);
        return kept != before ? Change.HEARTBEAT : Change.NONE;
    }

    /** A spec this process itself published, visible at once (read-your-writes); null: deleted. */
    public void accepted(String cluster, ClusterSpecRecord spec) {
        if (spec == null) {
            specs.remove(cluster);
        } else {
            specs.put(cluster, spec);
        }
    }

    private static <T> boolean replace(Map<String, T> map, String key, String value, Class<T> type) {
        if (value == null) {
            return map.remove(key) != null;
        }
        T fresh = Json.read(value, type);
        return !fresh.equals(map.put(key, fresh));
    }

    public Map<String, ClusterSpecRecord> specs() {
        return Map.copyOf(specs);
    }

    public Optional<ClusterSpecRecord> spec(String cluster) {
        return Optional.ofNullable(specs.get(cluster));
    }

    /** The incarnation a record must belong to for this view to return it; null filter when specs are not followed. */
    private boolean inForce(String cluster, String uid) {
        if (!topics.contains(Topics.SPECS)) {
            return true;
        }
        ClusterSpecRecord spec = specs.get(cluster);
        return Incarnation.same(uid, spec == null ? null : spec.uid());
    }

    /** The newest topology of the cluster's incarnation in force, or null. */
    public Topology topology(String cluster) {
        Topology t = topologies.get(cluster);
        return t != null && inForce(cluster, t.uid()) ? t : null;
    }

    /** The instances of the cluster's incarnation in force, by instance name. */
    public Map<String, InstanceRecord> instances(String cluster) {
        return instances.values().stream().filter(i -> i.cluster().equals(cluster) && inForce(cluster, i.uid()))
                .collect(Collectors.toMap(InstanceRecord::instance, i -> i));
    }

    /** Every instance in the inventory (of every incarnation), grouped by cluster. */
    public Map<String, List<InstanceRecord>> instancesByCluster() {
        return instances.values().stream().collect(Collectors.groupingBy(InstanceRecord::cluster));
    }

    public EndpointsRecord endpoints(String cluster) {
        return endpoints.get(cluster);
    }

    /** The newest heartbeat of each instance of the cluster's incarnation in force, by instance name. */
    public Map<String, Heartbeat> heartbeats(String cluster) {
        return heartbeats.values().stream().filter(h -> h.cluster().equals(cluster) && inForce(cluster, h.uid()))
                .collect(Collectors.toMap(Heartbeat::instance, h -> h));
    }

    public Optional<Heartbeat> heartbeat(String cluster, String instance) {
        return Optional.ofNullable(heartbeats.get(Topics.instanceKey(cluster, instance)))
                .filter(h -> inForce(cluster, h.uid()));
    }

    /** The cluster's heartbeats ordered by instance name. */
    public List<Heartbeat> heartbeatList(String cluster) {
        return heartbeats(cluster).values().stream().sorted(Comparator.comparing(Heartbeat::instance)).toList();
    }
}
