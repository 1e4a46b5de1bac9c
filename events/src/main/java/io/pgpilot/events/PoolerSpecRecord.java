package io.pgpilot.events;

import io.pgpilot.model.PoolerManifest;

import java.time.Instant;

/** Desired state of one pooler as accepted by the gateway (key: pooler name); generation grows with each update. */
public record PoolerSpecRecord(PoolerManifest manifest, long generation, Instant acceptedAt) {
}
