package io.pgpilot.events;

import io.pgpilot.model.ClusterManifest;

import java.time.Instant;

/** Desired state of one cluster as accepted by the gateway; generation grows with each update. */
public record ClusterSpecRecord(ClusterManifest manifest, long generation, Instant acceptedAt) {
}
