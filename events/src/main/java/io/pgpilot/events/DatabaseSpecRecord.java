package io.pgpilot.events;

import io.pgpilot.model.DatabaseManifest;

import java.time.Instant;

/** Desired state of one Database manifest as accepted by the gateway (key: manifest name); generation grows with each update. */
public record DatabaseSpecRecord(DatabaseManifest manifest, long generation, Instant acceptedAt) {
}
