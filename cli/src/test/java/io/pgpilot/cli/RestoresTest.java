package io.pgpilot.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class RestoresTest {

    static final List<Map<String, Object>> BACKUPS = List.of(
            Map.of("backupId", "20240131T020000", "status", "completed", "startedAt", "2024-01-31T02:00:00Z", "completedAt", "2024-01-31T02:05:00Z"),
            Map.of("backupId", "20240201T020000", "status", "completed", "startedAt", "2024-02-01T02:00:00Z", "completedAt", "2024-02-01T02:04:00Z"),
            Map.of("backupId", "20240201T120000", "status", "completed", "startedAt", "2024-02-01T12:00:00Z", "completedAt", "2024-02-01T12:03:00Z"),
            Map.of("backupId", "20240201T200000", "status", "failed", "startedAt", "2024-02-01T20:00:00Z"));

    @Test
    void aDaysNameIsItsLatestCompletedBackup() {
        assertThat(Restores.backupId("postgres-cluster", "postgres-cluster-2024-02-01", BACKUPS)).isEqualTo("20240201T120000");
        assertThat(Restores.backupId("postgres-cluster", "2024-01-31", BACKUPS)).isEqualTo("20240131T020000");
        assertThat(Restores.backupId("postgres-cluster", "20240201T020000", BACKUPS)).isEqualTo("20240201T020000");
    }

    @Test
    void unknownOrForeignNamesAreRefused() {
        Throwable none = catchThrowable(() -> Restores.backupId("postgres-cluster", "postgres-cluster-2024-03-01", BACKUPS));
        assertThat(none).hasMessageContaining("no completed backup of postgres-cluster started on 2024-03-01")
                .hasMessageContaining("20240201T120000");
        assertThat(((Exit.CliException) none).code()).isEqualTo(Exit.NOT_FOUND);
        assertThatThrownBy(() -> Restores.backupId("postgres-cluster", "other-2024-02-01", BACKUPS)).hasMessageContaining("--backup");
        assertThatThrownBy(() -> Restores.backupId("postgres-cluster", "../../etc", BACKUPS)).hasMessageContaining("--backup");
        assertThatThrownBy(() -> Restores.backupId("postgres-cluster", "postgres-cluster-2024-02-31", BACKUPS)).hasMessageContaining("no valid date");
    }

    @Test
    void aBackupThatEndedAfterTheTargetIsRefused() {
        Restores.requireBefore("20240201T020000", Instant.parse("2024-02-01T14:30:00Z"), BACKUPS);
        Restores.requireBefore("20240201T020000", null, BACKUPS);
        Throwable late = catchThrowable(() -> Restores.requireBefore("20240201T120000", Instant.parse("2024-02-01T12:01:00Z"), BACKUPS));
        assertThat(late).hasMessageContaining("ended at 2024-02-01T12:03:00Z, after the target time");
        assertThat(((Exit.CliException) late).code()).isEqualTo(Exit.REFUSED);
    }

    @Test
    void theNewClusterNameIsPredictableAndFitsTheSocketPath() {
        int max = Restores.maxClusterName(java.nio.file.Path.of("/var/lib/pgpilot"));
        assertThat(max).isEqualTo(29);
        assertThat(Restores.newClusterName("pc", Instant.parse("2024-02-01T14:30:00Z"), "20240201T020000", max))
                .isEqualTo("pc-pitr-20240201-143000");
        // the seed's cluster: its name shortened so that its instances can start under /var/lib/pgpilot
        assertThat(Restores.newClusterName("postgres-cluster", Instant.parse("2024-02-01T14:30:00Z"), "20240201T020000", max))
                .isEqualTo("postgres-pitr-20240201-143000");
        assertThat(Restores.newClusterName("odoo-db", null, "20240201T020000", max)).isEqualTo("odoo-restore-20240201t020000");
        assertThat(Restores.newClusterName("odoo-db", null, null, max)).isEqualTo("odoo-db-restore");
        assertThat(Restores.newClusterName("a".repeat(30) + "-b", Instant.parse("2024-02-01T14:30:00Z"), null, 50))
                .hasSizeLessThanOrEqualTo(50).endsWith("-pitr-20240201-143000").matches(io.pgpilot.model.Names.CLUSTER);
        assertThatThrownBy(() -> Restores.newClusterName("pc", Instant.parse("2024-02-01T14:30:00Z"), null, 15)).hasMessageContaining("--to");
        assertThatThrownBy(() -> Restores.requireFits("postgres-cluster-restored-today", max)).hasMessageContaining("at most 29");
        Restores.requireFits("postgres-cluster-restored", max);
    }

    @Test
    void aBackupObjectNameGivesItsBaseBackupOfThatClusterOnly() {
        assertThat(Restores.idOrDay("20240201T020000")).isTrue();
        assertThat(Restores.idOrDay("postgres-cluster-2024-02-01")).isTrue();
        assertThat(Restores.idOrDay("postgres-cluster-daily-20240201020000")).isFalse();
        Map<String, Object> object = Map.of("name", "postgres-cluster-daily-20240201020000", "cluster", "postgres-cluster",
                "backupId", "20240201T020001");
        assertThat(Restores.backupIdOfObject("postgres-cluster", "postgres-cluster-daily-20240201020000", object)).isEqualTo("20240201T020001");
        assertThatThrownBy(() -> Restores.backupIdOfObject("odoo-db", "postgres-cluster-daily-20240201020000", object))
                .hasMessageContaining("is a backup of postgres-cluster, not of odoo-db");
    }
}
