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
}
