package io.pgpilot.services;

import java.util.List;

/**
 * Where each endpoint of one cluster sends connections: rw = the primary only, ro = the replicas,
 * r = all members. Fenced instances are in none. {@code epoch} is the topology epoch (0 = none yet).
 */
public record ClusterRoutes(String cluster, long epoch, List<Server> rw, List<Server> ro, List<Server> r) {

    public ClusterRoutes {
        rw = List.copyOf(rw);
        ro = List.copyOf(ro);
        r = List.copyOf(r);
    }

    public static ClusterRoutes empty(String cluster, long epoch) {
        return new ClusterRoutes(cluster, epoch, List.of(), List.of(), List.of());
    }
}
