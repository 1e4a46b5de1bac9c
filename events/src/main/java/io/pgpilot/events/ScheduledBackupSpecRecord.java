package io.pgpilot.events;

import io.pgpilot.model.ScheduledBackupManifest;

import java.time.Instant;

/** Desired state of one ScheduledBackup manifest as accepted by the gateway (key: manifest name); generation grows with each update. */
public record ScheduledBackupSpecRecord(ScheduledBackupManifest manifest, long generation, Instant acceptedAt) {
}
