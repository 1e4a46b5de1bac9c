package io.pgpilot.services;

import java.util.List;

/**
 * Where each endpoint of one cluster sends connections: rw = the topology primary only, ro = the
 * replicas, r = all members. Fenced instances are in none. {@code epoch} is the topology epoch
 * (0 = none yet). {@code rwReady}: the rw server has confirmed that it accepts writes; until then
 * it is configured but in maintenance (HAProxy {@code disabled}), so that the confirmation opens
 * rw through the runtime API at once, without a reload.
 */
public record ClusterRoutes(String cluster, long epoch, List<Server> rw, List<Server> ro, List<Server> r, boolean rwReady) {

    public ClusterRoutes {
        rw = List.copyOf(rw);
        ro = List.copyOf(ro);
        r = List.copyOf(r);
    }

    /** Routes whose rw server (if any) accepts writes. */
    public ClusterRoutes(String cluster, long epoch, List<Server> rw, List<Server> ro, List<Server> r) {
        this(cluster, epoch, rw, ro, r, true);
    }

    public static ClusterRoutes empty(String cluster, long epoch) {
        return new ClusterRoutes(cluster, epoch, List.of(), List.of(), List.of());
    }

    /** The rw servers that take new connections now (none while the primary has not confirmed). */
    public List<Server> rwServing() {
        return rwReady ? rw : List.of();
    }

    public ClusterRoutes withRwReady(boolean ready) {
        return new ClusterRoutes(cluster, epoch, rw, ro, r, ready);
    }
}
