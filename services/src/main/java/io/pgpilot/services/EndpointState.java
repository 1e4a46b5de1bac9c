package io.pgpilot.services;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The access layer's view of every cluster, built from the specs, instance and topology topics.
 * Pure: no I/O, not thread-safe (one thread owns it). {@link #routes()} is deterministic.
 * <p>
 * A cluster has endpoints once it has a spec, a topology or an instance, until its spec is
 * tombstoned; records about a deleted cluster are then ignored until a new spec arrives.
 * <p>
 * rw routes to the topology primary only while its instance record confirms that it accepts
 * writes ({@link InstanceRecord#acceptsWrites()}): the topology
 * names a promotion candidate before the provisioner has promoted it, and an old primary is demoted
 * after the topology moved on, so neither the topology alone nor the record alone may open rw.
 * r includes the topology primary either way (reads are fine on a server in recovery).
 */
public final class EndpointState {

    private static final Logger log = LoggerFactory.getLogger(EndpointState.class);

    /** A host name or IPv4 address: nothing that could break out of an HAProxy config line. */
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?");

    private final Set<String> specified = new HashSet<>();
    private final Set<String> deleted = new HashSet<>();
    private final Map<String, Topology> topologies = new HashMap<>();
    private final Map<String, Map<String, InstanceRecord>> instances = new HashMap<>();

    /** A spec (present) or its tombstone (absent). Returns true when the state changed. */
    public boolean applySpec(String cluster, boolean present) {
        if (!validCluster(cluster, "spec")) {
            return false;
        }
        if (present) {
            deleted.remove(cluster);
            return specified.add(cluster);
        }
        boolean known = exists(cluster);
        specified.remove(cluster);
        topologies.remove(cluster);
        instances.remove(cluster);
        deleted.add(cluster);
        if (known) {
            log.info("cluster {}: deleted, its endpoints go away", cluster);
        }
        return known;
    }

    /** An instance record keyed {@code cluster/instance}; null = tombstone. */
    public boolean applyInstance(String key, InstanceRecord record) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash < 0) {
            log.warn("ignoring instance record with key '{}'", Names.printable(key));
            return false;
        }
        String cluster = key.substring(0, slash);
        String instance = key.substring(slash + 1);
        if (!validCluster(cluster, "instance record") || !validInstance(cluster, instance)) {
            return false;
        }
        if (record == null) {
            Map<String, InstanceRecord> members = instances.get(cluster);
            boolean removed = members != null && members.remove(instance) != null;
            if (members != null && members.isEmpty()) {
                instances.remove(cluster);
            }
            return removed;
        }
        if (deleted.contains(cluster)) {
            log.debug("cluster {}: ignoring instance {} of a deleted cluster", cluster, instance);
            return false;
        }
        if (!cluster.equals(record.cluster()) || !instance.equals(record.instance())) {
            log.warn("cluster {}: ignoring instance record whose body ({}/{}) does not match its key",
                    cluster, Names.printable(record.cluster()), Names.printable(record.instance()));
            return false;
        }
        InstanceRecord previous = instances.computeIfAbsent(cluster, c -> new HashMap<>()).put(instance, record);
        if (previous != null && previous.acceptsWrites() != record.acceptsWrites()) {
            log.info("cluster {}: instance {} {}", cluster, instance, record.acceptsWrites()
                    ? "confirmed it accepts writes" : "no longer confirms it accepts writes (" + record.phase() + " " + record.message() + ")");
        }
        return previous == null || !java.util.Objects.equals(previous.host(), record.host()) || previous.port() != record.port()
                || previous.acceptsWrites() != record.acceptsWrites();
    }

    /** A topology; applied only when its epoch is above the last applied one. Null = tombstone. */
    public boolean applyTopology(String cluster, Topology topology) {
        if (!validCluster(cluster, "topology")) {
            return false;
        }
        if (topology == null) {
            // keep the epoch so that older records are still refused; routes become empty
            Topology last = topologies.get(cluster);
            if (last == null || last.primary() == null && last.replicas().isEmpty()) {
                return false;
            }
            topologies.put(cluster, new Topology(cluster, last.epoch(), null, List.of(), List.of(), last.timeline(),
                    last.decidedAt(), "topology deleted"));
            return true;
        }
        if (deleted.contains(cluster)) {
            log.debug("cluster {}: ignoring topology of a deleted cluster", cluster);
            return false;
        }
        if (!cluster.equals(topology.cluster())) {
            log.warn("cluster {}: ignoring topology for '{}'", cluster, Names.printable(topology.cluster()));
            return false;
        }
        Topology last = topologies.get(cluster);
        if (!topology.newerThan(last)) {
            log.info("cluster {}: ignoring topology epoch {} (already applied epoch {})", cluster, topology.epoch(), last.epoch());
            return false;
        }
        topologies.put(cluster, normalize(topology));
        log.info("cluster {}: topology epoch {} primary={} replicas={} fenced={}", cluster, topology.epoch(),
                topology.primary(), topology.replicas(), topology.fenced());
        return true;
    }

    private static Topology normalize(Topology t) {
        return new Topology(t.cluster(), t.epoch(), t.primary(),
                t.replicas() == null ? List.of() : t.replicas(),
                t.fenced() == null ? List.of() : t.fenced(), t.timeline(), t.decidedAt(), t.reason());
    }

    public boolean exists(String cluster) {
        return !deleted.contains(cluster)
                && (specified.contains(cluster) || topologies.containsKey(cluster) || instances.containsKey(cluster));
    }

    /** Desired routes of every cluster, sorted by cluster name. */
    public SortedMap<String, ClusterRoutes> routes() {
        Set<String> clusters = new TreeSet<>(specified);
        clusters.addAll(topologies.keySet());
        clusters.addAll(instances.keySet());
        clusters.removeAll(deleted);
        SortedMap<String, ClusterRoutes> result = new TreeMap<>();
        for (String cluster : clusters) {
            result.put(cluster, routesOf(cluster));
        }
        return result;
    }

    ClusterRoutes routesOf(String cluster) {
        Topology topology = topologies.get(cluster);
        if (topology == null) {
            return ClusterRoutes.empty(cluster, 0);
        }
        Map<String, InstanceRecord> members = instances.getOrDefault(cluster, Map.of());
        Set<String> fenced = new HashSet<>(topology.fenced());
        List<Server> rw = new ArrayList<>();
        List<Server> r = new ArrayList<>();
        String primary = topology.primary();
        if (primary != null && !fenced.contains(primary)) {
            server(cluster, primary, members).ifPresent(server -> {
                r.add(server);
                InstanceRecord confirmation = members.get(primary);
                // not confirmed: a promotion candidate before its promotion finished, or a primary that
                // stopped; a client is better served by a refused connection than by a read-only server
                if (confirmation != null && confirmation.acceptsWrites()) {
                    rw.add(server);
                }
            });
        }
        List<Server> ro = new ArrayList<>();
        for (String replica : new TreeSet<>(topology.replicas())) {
            if (!fenced.contains(replica) && !replica.equals(primary)) {
                server(cluster, replica, members).ifPresent(ro::add);
            }
        }
        r.addAll(ro);
        r.sort(java.util.Comparator.comparing(Server::name));
        // every instance with an address: the endpoints list them all, routing only switches their states
        List<Server> all = new ArrayList<>();
        for (String instance : new TreeSet<>(members.keySet())) {
            if (validInstance(cluster, instance)) {
                InstanceRecord record = members.get(instance);
                if (record.host() != null && HOST.matcher(record.host()).matches() && record.port() >= 1 && record.port() <= 65535) {
                    all.add(new Server(instance, record.host(), record.port()));
                }
            }
        }
        return new ClusterRoutes(cluster, topology.epoch(), rw, ro, r, ClusterRoutes.union(all, r));
    }

    private static java.util.Optional<Server> server(String cluster, String instance, Map<String, InstanceRecord> members) {
        if (!validInstance(cluster, instance)) {
            return java.util.Optional.empty();
        }
        InstanceRecord record = members.get(instance);
        if (record == null) {
            log.info("cluster {}: instance {} has no known address yet, not routed", cluster, instance);
            return java.util.Optional.empty();
        }
        if (record.host() == null || !HOST.matcher(record.host()).matches() || record.port() < 1 || record.port() > 65535) {
            log.warn("cluster {}: instance {} has an invalid address '{}:{}', not routed", cluster, instance,
                    Names.printable(record.host()), record.port());
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Server(instance, record.host(), record.port()));
    }

    private static boolean validCluster(String cluster, String what) {
        if (cluster == null || !Names.CLUSTER.matcher(cluster).matches()) {
            log.warn("ignoring {} for invalid cluster name '{}'", what, Names.printable(cluster));
            return false;
        }
        return true;
    }

    private static boolean validInstance(String cluster, String instance) {
        if (instance == null || !Names.INSTANCE.matcher(instance).matches() || !instance.startsWith(cluster + "-")
                || instance.substring(cluster.length() + 1).contains("-")) {
            log.warn("cluster {}: ignoring invalid instance name '{}'", cluster, Names.printable(instance));
            return false;
        }
        return true;
    }
}
