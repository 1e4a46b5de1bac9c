package io.pgpilot.events;

import io.pgpilot.model.ClusterManifest;

import java.time.Instant;

/**
 * Desired state of one cluster as accepted by the gateway; generation grows with each update.
 * {@code uid} names the incarnation: a new one for every creation (also of a name used before),
 * kept by updates. Every record derived from the cluster (inventory, heartbeats, topology) carries
 * it, so no service mistakes a deleted incarnation's records for the current one's (null: a record
 * written before incarnations existed; it matches only other null ones).
 */
public record ClusterSpecRecord(ClusterManifest manifest, long generation, Instant acceptedAt, String uid) {

    public ClusterSpecRecord(ClusterManifest manifest, long generation, Instant acceptedAt) {
        this(manifest, generation, acceptedAt, null);
    }
}
