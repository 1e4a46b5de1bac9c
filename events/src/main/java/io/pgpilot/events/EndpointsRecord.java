package io.pgpilot.events;

import java.time.Instant;

/** The access-layer ports of one cluster: rw = primary, ro = replicas, r = any. */
public record EndpointsRecord(String cluster, String host, int rwPort, int roPort, int rPort,
                              long topologyEpoch, Instant updatedAt) {
}
