package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.ScheduledBackupSpecRecord;
import io.pgpilot.model.BackupDefinitions;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;

/**
 * {@code GET /api/v1/scheduledbackups/{name}}: the schedule as declared and CloudNativePG's status
 * fields ({@code lastScheduleTime}, {@code nextScheduleTime}, the last Backup object it created).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ScheduledBackupStatus(String name, String cluster, String schedule, boolean suspend, boolean immediate,
                             String backupOwnerReference, String target, long generation, Instant acceptedAt,
                             Instant lastScheduleTime, String lastBackup, Instant nextScheduleTime) {

    /** Pure: {@code backups} are every Backup object; {@code now} the clock's reading. */
    static ScheduledBackupStatus of(BackupDefinitions.ScheduledBackup d, ScheduledBackupSpecRecord spec,
                                    Collection<java.util.Map.Entry<String, BackupObjectRecord>> backups, Instant now) {
        var last = backups.stream().filter(e -> d.name().equals(e.getValue().scheduledBackup()))
                .max(Comparator.comparing((java.util.Map.Entry<String, BackupObjectRecord> e) -> e.getValue().createdAt()))
                .orElse(null);
        return new ScheduledBackupStatus(d.name(), d.cluster(), d.schedule().expression(), d.suspend(), d.immediate(),
                d.backupOwnerReference(), d.target(), spec.generation(), spec.acceptedAt(),
                last == null ? null : last.getValue().createdAt(), last == null ? null : last.getKey(),
                d.suspend() ? null : d.schedule().next(now));
    }
}
