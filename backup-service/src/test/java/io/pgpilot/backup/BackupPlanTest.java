package io.pgpilot.backup;

import io.pgpilot.model.ManifestValidator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackupPlanTest {

    @Test
    void referenceManifestMapsToBarmanLayout() throws Exception {
        var plan = BackupPlan.of(ManifestValidator.parseAndValidate(Files.readString(Path.of("../examples/postgres-cluster.yaml"))));
        assertThat(plan.bucket()).isEqualTo("homelab-backups");
        assertThat(plan.serverPrefix()).isEqualTo("cnpg/postgres-cluster");
        assertThat(plan.walCompression()).isEqualTo("gzip");
        assertThat(plan.recoveryWindow()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void windowsInWeeksAndMonths() {
        assertThat(BackupPlan.window("4w")).isEqualTo(Duration.ofDays(28));
        assertThat(BackupPlan.window("6m")).isEqualTo(Duration.ofDays(180));
        assertThat(BackupPlan.window(null)).isNull();
    }
}
