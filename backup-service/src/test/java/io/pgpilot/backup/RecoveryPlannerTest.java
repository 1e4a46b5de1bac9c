package io.pgpilot.backup;

import io.pgpilot.model.ClusterDefinition.RecoveryTarget;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecoveryPlannerTest {

    static StoredBackups.Stored backup(String id, String status, String end, String endLsn, boolean data) {
        BackupInfo info = new BackupInfo(id, status, 150010, "/d", 1, Instant.parse(end).minusSeconds(10), "0/1000028",
                "000000010000000000000001", 40, Instant.parse(end), endLsn, "000000010000000000000002", 0, 1, "1", 16L << 20, null, null, "cloud");
        return new StoredBackups.Stored(info, data ? new BarmanLayout.StoredData("k", Compression.GZIP, false) : null, 1);
    }

    static final List<StoredBackups.Stored> BACKUPS = List.of(
            backup("20261125T100000", "DONE", "2026-11-25T10:00:10Z", "0/2000100", true),
            backup("20261125T110000", "DONE", "2026-11-25T11:00:10Z", "0/5000100", true),
            backup("20261125T120000", "FAILED", "2026-11-25T12:00:10Z", "0/7000100", false),
            backup("20261125T130000", "DONE", "2026-11-25T13:00:10Z", "0/9000100", true));

    static RecoveryTarget time(String t) {
        return new RecoveryTarget(Instant.parse(t), null, null, false, true);
    }

    static String chosen(RecoveryPlanner.Plan plan) {
        assertThat(plan).isInstanceOf(RecoveryPlanner.Chosen.class);
        return ((RecoveryPlanner.Chosen) plan).backup().backupId();
    }

    @Test
    void latestBackupThatEndsBeforeTheTargetTime() {
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, time("2026-11-25T12:30:00Z"), null, "s3://b/p"))).isEqualTo("20261125T110000");
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, time("2026-11-25T11:00:10.000001Z"), null, "s3://b/p"))).isEqualTo("20261125T110000");
        // ending exactly at the target is not before it
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, time("2026-11-25T11:00:10Z"), null, "s3://b/p"))).isEqualTo("20261125T100000");
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, RecoveryTarget.END_OF_WAL, null, "s3://b/p"))).isEqualTo("20261125T130000");
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, new RecoveryTarget(null, "0/6000000", null, false, true), null, "s3://b/p")))
                .isEqualTo("20261125T110000");
    }

    @Test
    void aTargetBeforeTheFirstBackupIsRefusedWithTheReason() {
        var plan = RecoveryPlanner.choose(BACKUPS, time("2026-11-25T09:00:00Z"), null, "s3://b/p");
        assertThat(plan).isInstanceOf(RecoveryPlanner.Refused.class);
        assertThat(((RecoveryPlanner.Refused) plan).reason()).contains("no base backup ends before the target time 2026-11-25T09:00:00Z",
                "20261125T100000");
        assertThat(RecoveryPlanner.choose(List.of(), RecoveryTarget.END_OF_WAL, null, "s3://b/p"))
                .isEqualTo(new RecoveryPlanner.Refused("no complete base backup in s3://b/p"));
    }

    @Test
    void aNamedBackupMustExistBeCompleteAndEndBeforeTheTarget() {
        assertThat(chosen(RecoveryPlanner.choose(BACKUPS, time("2026-11-25T12:30:00Z"), "20261125T100000", "w"))).isEqualTo("20261125T100000");
        assertThat(((RecoveryPlanner.Refused) RecoveryPlanner.choose(BACKUPS, RecoveryTarget.END_OF_WAL, "20261125T120000", "w")).reason())
                .contains("not complete");
        assertThat(((RecoveryPlanner.Refused) RecoveryPlanner.choose(BACKUPS, RecoveryTarget.END_OF_WAL, "20261125T140000", "w")).reason())
                .contains("does not exist");
        assertThat(((RecoveryPlanner.Refused) RecoveryPlanner.choose(BACKUPS, time("2026-11-25T12:30:00Z"), "20261125T130000", "w")).reason())
                .contains("not before the target time");
    }
}
