package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestValidatorTest {

    static String example() throws Exception {
        return Files.readString(Path.of("../examples/postgres-cluster.yaml"));
    }

    @Test
    void acceptsTheReferenceManifestVerbatim() throws Exception {
        ClusterDefinition cluster = ManifestValidator.parseAndValidate(example());

        assertThat(cluster.name()).isEqualTo("postgres-cluster");
        assertThat(cluster.instances()).isEqualTo(3);
        assertThat(cluster.parameters()).containsEntry("max_connections", "200")
                .containsEntry("shared_buffers", "256MB").containsEntry("effective_cache_size", "512MB");
        assertThat(cluster.instanceNames()).containsExactly("postgres-cluster-1", "postgres-cluster-2", "postgres-cluster-3");
        assertThat(cluster.synchronous().standbyNames(java.util.List.of("postgres-cluster-2", "postgres-cluster-3")))
                .isEqualTo("ANY 1 (\"postgres-cluster-2\",\"postgres-cluster-3\")");
        assertThat(cluster.backup().bucket()).isEqualTo("homelab-backups");
        assertThat(cluster.backup().prefix()).isEqualTo("cnpg");
        assertThat(cluster.backup().walCompression()).isEqualTo("gzip");
        assertThat(cluster.backup().retentionPolicy()).isEqualTo("30d");
        assertThat(cluster.storageSize()).isEqualTo("20Gi");
    }

    @Test
    void jsonIsAcceptedToo() {
        ClusterDefinition cluster = ManifestValidator.parseAndValidate("""
                {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"a1"},"spec":{"instances":1}}""");
        assertThat(cluster.synchronous()).isEqualTo(ClusterDefinition.SynchronousReplication.ASYNC);
    }

    @Test
    void unknownFieldIsNamedWithItsPath() throws Exception {
        String text = example().replace("      shared_buffers", "      shared_buffers").replace("  storage:", "  storagee:");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.storagee").hasMessageContaining("unknown field");
    }

    @Test
    void nestedUnknownFieldIsNamed() throws Exception {
        String text = example().replace("        compression: gzip", "        compresion: gzip");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text))
                .hasMessageContaining("spec.backup.barmanObjectStore.wal.compresion");
    }

    @Test
    void badNameIsRejected() throws Exception {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(example().replace("name: postgres-cluster", "name: ../etc")))
                .hasMessageContaining("metadata.name");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(example().replace("name: postgres-cluster", "name: Upper")))
                .hasMessageContaining("metadata.name");
    }

    @Test
    void instancesBelowOneAreRejected() throws Exception {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(example().replace("instances: 3", "instances: 0")))
                .hasMessageContaining("spec.instances");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(example().replace("instances: 3", "instances: three")))
                .hasMessageContaining("spec.instances");
    }

    @Test
    void unparsableYamlIsRejected() {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate("metadata: {name: x\nspec: ["))
                .isInstanceOf(ManifestException.class).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate("{\"kind\": "))
                .isInstanceOf(ManifestException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void duplicateKeysAreRejected() {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate("kind: Cluster\nkind: Cluster\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("kind");
    }

    @Test
    void oversizedBodyIsRejected() {
        String big = "kind: Cluster\n#" + "x".repeat(ManifestParser.MAX_MANIFEST_BYTES) + "\n";
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(big)).hasMessageContaining("larger than");
    }

    @Test
    void managedParametersAndInjectionAreRejected() throws Exception {
        String fixed = example().replace("      max_connections: \"200\"", "      archive_command: \"rm -rf /\"");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(fixed))
                .hasMessageContaining("spec.postgresql.parameters.archive_command").hasMessageContaining("managed by pgpilot");
        String newline = example().replace("\"256MB\"", "\"256MB\\nfsync = off\"");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(newline))
                .hasMessageContaining("spec.postgresql.parameters.shared_buffers");
    }

    @Test
    void reportsEveryViolationAtOnce() throws Exception {
        String text = example().replace("instances: 3", "instances: 0").replace("\"30d\"", "\"forever\"")
                .replace("s3://homelab-backups/cnpg/", "ftp://x");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text))
                .hasMessageContaining("spec.instances").hasMessageContaining("spec.backup.retentionPolicy")
                .hasMessageContaining("destinationPath");
    }

    @Test
    void synchronousSettingsAreHonoured() throws Exception {
        String text = example().replace("    parameters:", "    synchronous: {method: first, number: 2}\n    parameters:");
        var cluster = ManifestValidator.parseAndValidate(text);
        assertThat(cluster.synchronous().standbyNames(java.util.List.of("b", "c"))).isEqualTo("FIRST 2 (\"b\",\"c\")");
        String tooMany = example().replace("    parameters:", "    synchronous: {method: any, number: 3}\n    parameters:");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(tooMany)).hasMessageContaining("spec.postgresql.synchronous.number");
    }

    static final String RECOVERY = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: restored}
            spec:
              instances: 2
              bootstrap:
                recovery:
                  source: origin
                  recoveryTarget: {targetTime: "2026-11-25 10:15:30+01"}
              externalClusters:
                - name: origin
                  barmanObjectStore:
                    destinationPath: s3://homelab-backups/cnpg/
                    s3Credentials:
                      accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                      secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                    wal: {compression: gzip}
            """;

    @Test
    void recoveryFromAnExternalClustersObjectStore() {
        ClusterDefinition cluster = ManifestValidator.parseAndValidate(RECOVERY);
        var recovery = cluster.recovery();
        assertThat(recovery.source()).isEqualTo("origin");
        assertThat(recovery.store().bucket()).isEqualTo("homelab-backups");
        assertThat(recovery.store().prefix()).isEqualTo("cnpg");
        assertThat(recovery.store().serverName()).as("defaults to the external cluster's name").isEqualTo("origin");
        assertThat(recovery.target().time()).isEqualTo(java.time.Instant.parse("2026-11-25T09:15:30Z"));
        assertThat(recovery.target().inclusive()).isTrue();
        assertThat(recovery.backupId()).isNull();
    }

    @Test
    void recoveryIsStrict() {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("source: origin", "source: elsewhere")))
                .hasMessageContaining("spec.bootstrap.recovery.source");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetTime: \"2026-11-25 10:15:30\"}"))).hasMessageContaining("recoveryTarget.targetTime");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetTime: \"2026-11-25T10:15:30Z\", targetLSN: \"0/3000060\"}"))).hasMessageContaining("at most one");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("source: origin",
                "source: origin\n      backupID: ../../etc"))).hasMessageContaining("is not a backup id");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetLSN: \"0/30000G0\"}"))).hasMessageContaining("targetLSN");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetName: \"x'; y\"}"))).hasMessageContaining("targetName");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY.replace("barmanObjectStore:\n", "barmanObjectStre:\n")))
                .hasMessageContaining("unknown field");
        // archiving into the source's own path would mix two histories
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(RECOVERY + """
                  backup:
                    barmanObjectStore:
                      destinationPath: s3://homelab-backups/cnpg/
                      serverName: origin
                      s3Credentials:
                        accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                        secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                """)).hasMessageContaining("must not archive into the recovery source");
    }

    @Test
    void recoveryTargetsLsnNameImmediateAndBackupId() {
        var lsn = ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetLSN: \"0/3000060\", exclusive: true}")).recovery();
        assertThat(lsn.target().lsn()).isEqualTo("0/3000060");
        assertThat(lsn.target().inclusive()).isFalse();
        var immediate = ManifestValidator.parseAndValidate(RECOVERY.replace("{targetTime: \"2026-11-25 10:15:30+01\"}",
                "{targetImmediate: true, backupID: 20261125T101530}")).recovery();
        assertThat(immediate.target().immediate()).isTrue();
        assertThat(immediate.backupId()).isEqualTo("20261125T101530");
    }

    @Test
    void backupScheduleAndTarget() throws Exception {
        ClusterDefinition ok = ManifestValidator.parseAndValidate(example().replace("    retentionPolicy: \"30d\"",
                "    retentionPolicy: \"30d\"\n    schedule: \"0 0 0 * * *\"\n    target: primary"));
        assertThat(ok.backup().schedule()).isEqualTo("0 0 0 * * *");
        assertThat(ok.backup().target()).isEqualTo("primary");
        assertThat(ManifestValidator.parseAndValidate(example()).backup().target()).isEqualTo("prefer-standby");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(example().replace("    retentionPolicy: \"30d\"",
                "    retentionPolicy: \"30d\"\n    schedule: \"0 0 * * *\""))).hasMessageContaining("spec.backup.schedule");
    }
}
