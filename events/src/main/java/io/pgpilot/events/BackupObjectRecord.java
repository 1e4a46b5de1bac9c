package io.pgpilot.events;

import io.pgpilot.model.BackupManifest;

import java.time.Instant;

/**
 * A CloudNativePG {@code Backup} object (key: its name): the manifest, and the base backup it
 * started ({@code backupId}, the backup service's id; its progress and result are the backup
 * service's). Written by the gateway for an on-demand Backup and by the backup service for each
 * backup a ScheduledBackup fires.
 *
 * @param scheduledBackup the ScheduledBackup that created it; null for an on-demand Backup
 * @param ownedBy         none, self (goes with its ScheduledBackup) or cluster (goes with the cluster)
 */
public record BackupObjectRecord(BackupManifest manifest, String cluster, String backupId, String scheduledBackup, String ownedBy,
                                 Instant createdAt) {
}
