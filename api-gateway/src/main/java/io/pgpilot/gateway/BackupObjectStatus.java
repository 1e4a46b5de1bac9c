package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgpilot.events.BackupObjectRecord;

import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /api/v1/backups/{name}}: a Backup object and its status like CloudNativePG's
 * ({@code phase} pending/running/completed/failed, started/stopped, backup id, error), read from
 * the backup service's record of the base backup it started.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record BackupObjectStatus(String name, String cluster, String scheduledBackup, String ownedBy, Instant createdAt,
                          String backupId, String phase, Instant startedAt, Instant stoppedAt, String beginLSN, String endLSN,
                          Long storedBytes, String error) {

    /** {@code backup}: the backup service's JSON for the base backup, null when it does not know it (any more). */
    static BackupObjectStatus of(String name, BackupObjectRecord record, Map<?, ?> backup) {
        if (backup == null) {
            return new BackupObjectStatus(name, record.cluster(), record.scheduledBackup(), record.ownedBy(), record.createdAt(),
                    record.backupId(), "unknown", null, null, null, null, null,
                    "the backup service does not know backup " + record.backupId() + " (removed by the retention policy?)");
        }
        String status = text(backup.get("status"));
        String phase = status == null ? "pending" : switch (status) {
            case "running" -> "running";
            case "completed" -> "completed";
            case "failed" -> "failed";
            default -> "pending";
        };
        Object stored = backup.get("storedBytes");
        return new BackupObjectStatus(name, record.cluster(), record.scheduledBackup(), record.ownedBy(), record.createdAt(),
                record.backupId(), phase, instant(backup.get("startedAt")), instant(backup.get("completedAt")),
                text(backup.get("beginLsn")), text(backup.get("endLsn")), stored instanceof Number n ? n.longValue() : null,
                text(backup.get("error")));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Instant instant(Object value) {
        try {
            if (value instanceof Number seconds) {
                return Instant.ofEpochMilli(Math.round(seconds.doubleValue() * 1000));
            }
            return value == null ? null : Instant.parse(value.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
