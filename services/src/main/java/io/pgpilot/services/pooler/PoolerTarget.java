package io.pgpilot.services.pooler;

import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.services.ClusterEndpoints;
import io.pgpilot.services.Server;
import io.pgpilot.services.pooler.PgBouncerConfig.Target;

import java.util.Optional;

/**
 * Where a pooler sends its server connections. Pure. An {@code rw} pooler goes straight to the primary
 * that the access layer routes {@code -rw} to (only after that instance confirmed it accepts writes),
 * saving a proxy hop; {@code ro} and {@code r} poolers go through the cluster's HAProxy endpoint, which
 * balances over the replicas (PgBouncer 1.18 takes one host per database).
 */
public final class PoolerTarget {

    private PoolerTarget() {
    }

    public static Optional<Target> of(PoolerDefinition pooler, ClusterEndpoints cluster, String endpointAddress) {
        if (cluster == null) {
            return Optional.empty();
        }
        return switch (pooler.type()) {
            case RW -> cluster.routes().rw().stream().findFirst().map(PoolerTarget::direct);
            case RO -> Optional.of(new Target(endpointAddress, cluster.ports().ro()));
            case R -> Optional.of(new Target(endpointAddress, cluster.ports().r()));
        };
    }

    private static Target direct(Server server) {
        return new Target(server.host(), server.port());
    }
}
