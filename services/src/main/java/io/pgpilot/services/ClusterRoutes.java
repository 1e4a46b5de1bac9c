package io.pgpilot.services;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each endpoint of one cluster sends new connections: rw = the topology primary once it has
 * confirmed that it accepts writes, ro = the replicas, r = the topology primary and the replicas.
 * Fenced instances are in none. {@code epoch} is the topology epoch (0 = none yet).
 * <p>
 * {@code members}: every instance of the cluster with an address, sorted by name. HAProxy lists all
 * of them in every endpoint and keeps those not routed there in maintenance, so that a failover, a
 * switchover, a promotion's confirmation or a fence only switches server states through the
 * runtime API; only a change of the members themselves (an instance added, removed, moved) reloads.
 */
public record ClusterRoutes(String cluster, long epoch, List<Server> rw, List<Server> ro, List<Server> r, List<Server> members) {

    public ClusterRoutes {
        rw = List.copyOf(rw);
        ro = List.copyOf(ro);
        r = List.copyOf(r);
        members = List.copyOf(members);
    }

    /** Routes whose members are exactly the routed servers. */
    public ClusterRoutes(String cluster, long epoch, List<Server> rw, List<Server> ro, List<Server> r) {
        this(cluster, epoch, rw, ro, r, union(rw, ro, r));
    }

    public static ClusterRoutes empty(String cluster, long epoch) {
        return new ClusterRoutes(cluster, epoch, List.of(), List.of(), List.of());
    }

    @SafeVarargs
    static List<Server> union(List<Server>... lists) {
        Map<String, Server> byName = new TreeMap<>();
        for (List<Server> list : lists) {
            list.forEach(s -> byName.putIfAbsent(s.name(), s));
        }
        List<Server> out = new ArrayList<>(byName.values());
        out.sort(Comparator.comparing(Server::name));
        return out;
    }
}
