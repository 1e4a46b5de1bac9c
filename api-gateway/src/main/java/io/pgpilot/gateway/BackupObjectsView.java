package io.pgpilot.gateway;

import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.ScheduledBackupSpecRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;

/** The gateway's read model of CloudNativePG's Backup objects and ScheduledBackup manifests. */
@Component
class BackupObjectsView extends KeyedViews {

    private final KeyedView<ScheduledBackupSpecRecord> schedules;
    private final KeyedView<BackupObjectRecord> backups;

    @org.springframework.beans.factory.annotation.Autowired
    BackupObjectsView(PlatformProperties platform) {
        this(platform, new KeyedView<>(ScheduledBackupSpecRecord.class), new KeyedView<>(BackupObjectRecord.class));
    }

    private BackupObjectsView(PlatformProperties platform, KeyedView<ScheduledBackupSpecRecord> schedules,
                              KeyedView<BackupObjectRecord> backups) {
        super(platform, "gateway-backups", Map.of(Topics.SCHEDULED_BACKUP_SPECS, schedules, Topics.BACKUP_OBJECTS, backups));
        this.schedules = schedules;
        this.backups = backups;
    }

    Map<String, ScheduledBackupSpecRecord> schedules() {
        return schedules.all();
    }

    Optional<ScheduledBackupSpecRecord> schedule(String name) {
        return schedules.get(name);
    }

    void accepted(String name, ScheduledBackupSpecRecord schedule) {
        schedules.accepted(name, schedule);
    }

    Map<String, BackupObjectRecord> backups() {
        return backups.all();
    }

    Optional<BackupObjectRecord> backup(String name) {
        return backups.get(name);
    }

    void accepted(String name, BackupObjectRecord backup) {
        backups.accepted(name, backup);
    }
}
