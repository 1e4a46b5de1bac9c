package io.pgpilot.launcher;

import java.util.List;

/**
 * Where a {@link LocalPlatform}'s control plane is reached from other hosts. Without an advertised
 * address (single host, the default) everything stays on loopback and instances are local
 * processes. With one (e.g. a network test bed's root address): Kafka listens on and
 * advertises it (node agents register there), the backup service listens there (the nodes' WAL
 * archiving calls it), the services' endpoints and poolers listen there, and the provisioner places instances on the registered nodes
 * ({@code backend=nodes}), reaching their agents with the join token of {@link PlatformSecrets#ensureJoinToken}.
 */
record ControlPlaneReach(String advertisedAddress) {

    boolean multiHost() {
        return advertisedAddress != null;
    }

    String kafkaAddress() {
        return multiHost() ? advertisedAddress : "127.0.0.1";
    }

    /** The backup service's URL as instances (on whatever host) and the other services call it. */
    String backupUrl(int port) {
        return "http://" + kafkaAddress() + ":" + port;
    }

    /** What the backup service runs with beyond the common arguments. */
    List<String> backupArgs() {
        return multiHost() ? List.of("--server.address=" + advertisedAddress) : List.of();
    }

    /**
     * What the services run with beyond the common arguments: the {@code -rw}/{@code -ro}/{@code -r}
     * endpoints and the poolers listen on the advertised address, so that a client on any host finds
     * the primary through them (on one host they stay on loopback).
     */
    List<String> servicesArgs() {
        return multiHost() ? List.of("--pgpilot.services.listen-address=" + advertisedAddress) : List.of();
    }

    /** What the provisioner runs with beyond the common arguments. */
    List<String> provisionerArgs() {
        return multiHost() ? List.of("--pgpilot.provisioner.backend=nodes") : List.of();
    }
}
