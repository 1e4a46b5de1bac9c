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

    @Test
    void retentionEndsWithTheRecoveryWindowRoundedUpToASecond() {
        assertThat(BackupPlan.retainUntil(java.time.Instant.parse("2026-11-26T10:00:00Z"), Duration.ofDays(30)))
                .isEqualTo(java.time.Instant.parse("2026-12-26T10:00:00Z"));
        assertThat(BackupPlan.retainUntil(java.time.Instant.parse("2026-11-26T10:00:00.001Z"), Duration.ofDays(1)))
                .isEqualTo(java.time.Instant.parse("2026-11-27T10:00:01Z"));
        assertThat(BackupPlan.retainUntil(java.time.Instant.now(), null)).isNull();
    }

    @Test
    void clientSideEncryptionComesFromAnAnnotationAndAnInvalidSecretNameIsRefused() throws Exception {
        var cluster = ManifestValidator.parseAndValidate(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        assertThat(BackupPlan.of(cluster).encryptionSecret()).isNull();
        assertThat(BackupPlan.of(cluster, java.util.Map.of(BackupPlan.ENCRYPTION_ANNOTATION, "wal-key")).encryptionSecret())
                .isEqualTo("wal-key");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackupPlan.of(cluster,
                java.util.Map.of(BackupPlan.ENCRYPTION_ANNOTATION, "../x"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(BackupPlan.of(cluster).layout().serverPrefix()).isEqualTo("cnpg/postgres-cluster");
        assertThat(BackupPlan.of(cluster).compression()).isEqualTo(Compression.GZIP);
    }
}
