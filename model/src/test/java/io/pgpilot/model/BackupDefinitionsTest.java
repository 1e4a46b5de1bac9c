package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupDefinitionsTest {

    private static BackupDefinitions.ScheduledBackup scheduled(String spec) {
        return BackupDefinitions.validate(ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata:
                  name: postgres-cluster-daily
                spec:
                """ + spec, ScheduledBackupManifest.class));
    }

    private static BackupDefinitions.BackupRequest backup(String spec) {
        return BackupDefinitions.validate(ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Backup
                metadata:
                  name: before-upgrade
                spec:
                """ + spec, BackupManifest.class));
    }

    @Test
    void cloudNativePgsScheduledBackupWithDefaults() {
        var s = scheduled("""
                  schedule: "0 0 0 * * *"
                  backupOwnerReference: self
                  cluster:
                    name: postgres-cluster
                """);
        assertThat(s.cluster()).isEqualTo("postgres-cluster");
        assertThat(s.schedule().next(Instant.parse("2026-12-01T10:00:00Z"))).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(s.immediate()).isFalse();
        assertThat(s.suspend()).isFalse();
        assertThat(s.backupOwnerReference()).isEqualTo("self");
        assertThat(s.target()).isNull();
    }

    @Test
    void everyScheduledBackupViolationAtOnce() {
        assertThatThrownBy(() -> scheduled("""
                  schedule: "0 0 * * *"
                  backupOwnerReference: everyone
                  method: volumeSnapshot
                  target: standby
                  online: false
                  cluster:
                    name: Postgres
                """)).isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(((ManifestException) e).violations()).extracting(ManifestException.Violation::field)
                        .containsExactlyInAnyOrder("spec.cluster.name", "spec.schedule", "spec.backupOwnerReference", "spec.method",
                                "spec.online", "spec.target"))
                .hasMessageContaining("not supported: pgpilot takes base backups to the cluster's object store");
    }

    @Test
    void aScheduleIsRequiredAndUnknownFieldsAreRefused() {
        assertThatThrownBy(() -> scheduled("""
                  cluster:
                    name: postgres-cluster
                """)).hasMessageContaining("spec.schedule");
        assertThatThrownBy(() -> scheduled("""
                  schedule: "0 0 0 * * *"
                  pluginConfiguration: {}
                  cluster:
                    name: postgres-cluster
                """)).isInstanceOf(ManifestException.class);
        assertThatThrownBy(() -> scheduled("""
                  schedule: "0 0 0 * * *"
                  immediate: "yes"
                  cluster:
                    name: postgres-cluster
                """)).isInstanceOf(ManifestException.class);
    }

    @Test
    void aScheduleNameLeavesRoomForItsBackupsTimestamp() {
        String name = "a".repeat(BackupDefinitions.MAX_SCHEDULE_NAME + 1);
        assertThatThrownBy(() -> BackupDefinitions.validate(ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata:
                  name: %s
                spec:
                  schedule: "0 0 0 * * *"
                  cluster:
                    name: postgres-cluster
                """.formatted(name), ScheduledBackupManifest.class))).hasMessageContaining("<name>-<yyyyMMddHHmmss>");
    }

    @Test
    void anOnDemandBackup() {
        var b = backup("""
                  method: barmanObjectStore
                  target: primary
                  cluster:
                    name: odoo
                """);
        assertThat(b).isEqualTo(new BackupDefinitions.BackupRequest("before-upgrade", "odoo", "primary"));
        assertThat(backup("""
                  cluster:
                    name: odoo
                """).target()).isNull();
        assertThatThrownBy(() -> backup("""
                  method: plugin
                  cluster:
                    name: odoo
                """)).hasMessageContaining("spec.method");
        assertThatThrownBy(() -> BackupDefinitions.validate(ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: odoo
                spec:
                  cluster:
                    name: odoo
                """, BackupManifest.class))).hasMessageContaining("kind");
    }
}
