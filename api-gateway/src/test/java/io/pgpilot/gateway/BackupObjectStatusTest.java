package io.pgpilot.gateway;

import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.ScheduledBackupSpecRecord;
import io.pgpilot.model.BackupDefinitions;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ScheduledBackupManifest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BackupObjectStatusTest {

    private static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");

    private static BackupObjectRecord record(String scheduledBackup, Instant createdAt) {
        return new BackupObjectRecord(null, "odoo", "20261201T000000", scheduledBackup, "self", createdAt);
    }

    @Test
    void phaseFollowsTheBackupServicesRecord() {
        var status = BackupObjectStatus.of("b", record(null, CREATED), Map.of("status", "completed", "startedAt", "2026-12-01T00:00:01Z",
                "completedAt", "2026-12-01T00:00:09Z", "beginLsn", "0/3000028", "endLsn", "0/3000100", "storedBytes", 4096));
        assertThat(status.phase()).isEqualTo("completed");
        assertThat(status.startedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:01Z"));
        assertThat(status.stoppedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:09Z"));
        assertThat(status.storedBytes()).isEqualTo(4096L);
        assertThat(status.error()).isNull();
        assertThat(BackupObjectStatus.of("b", record(null, CREATED), Map.of("status", "failed", "error", "source gone")).phase())
                .isEqualTo("failed");
        assertThat(BackupObjectStatus.of("b", record(null, CREATED), Map.of("status", "running")).phase()).isEqualTo("running");
    }

    @Test
    void aBackupTheServiceNoLongerKnowsSaysSo() {
        var status = BackupObjectStatus.of("b", record(null, CREATED), null);
        assertThat(status.phase()).isEqualTo("unknown");
        assertThat(status.error()).contains("20261201T000000");
    }

    @Test
    void scheduledBackupStatusNamesItsLastBackupAndNextTime() {
        ScheduledBackupManifest manifest = ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata:
                  name: daily
                spec:
                  schedule: "0 0 0 * * *"
                  cluster:
                    name: odoo
                """, ScheduledBackupManifest.class);
        var definition = BackupDefinitions.validate(manifest);
        var spec = new ScheduledBackupSpecRecord(manifest, 2, CREATED);
        var backups = Map.of("daily-20261130000000", record("daily", Instant.parse("2026-11-30T00:00:00Z")),
                "daily-20261201000000", record("daily", Instant.parse("2026-12-01T00:00:00Z")),
                "other-20261201100000", record("other", Instant.parse("2026-12-01T10:00:00Z")));
        var status = ScheduledBackupStatus.of(definition, spec, backups.entrySet(), Instant.parse("2026-12-01T12:00:00Z"));
        assertThat(status.lastBackup()).isEqualTo("daily-20261201000000");
        assertThat(status.lastScheduleTime()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(status.nextScheduleTime()).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(status.generation()).isEqualTo(2);
    }
}
