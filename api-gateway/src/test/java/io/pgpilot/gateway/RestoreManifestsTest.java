package io.pgpilot.gateway;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreManifestsTest {

    @Test
    void theReferenceClusterRestoredToATimeIsAValidRecoveryManifest() throws Exception {
        var source = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var manifest = RestoreManifests.build("postgres-cluster", source,
                new RestoreManifests.RestoreRequest("pc-restored", "2026-11-25T10:15:30Z", null, null, null, null));
        ClusterDefinition restored = ManifestValidator.validate(manifest);
        assertThat(restored.name()).isEqualTo("pc-restored");
        assertThat(restored.instances()).isEqualTo(3);
        assertThat(restored.parameters()).containsEntry("shared_buffers", "256MB");
        assertThat(restored.recovery().source()).isEqualTo("postgres-cluster");
        assertThat(restored.recovery().store().serverName()).isEqualTo("postgres-cluster");
        assertThat(restored.recovery().store().prefix()).isEqualTo("cnpg");
        assertThat(restored.recovery().target().time()).isEqualTo(Instant.parse("2026-11-25T10:15:30Z"));
        assertThat(restored.backup().serverName()).as("archives under its own name").isEqualTo("pc-restored");
    }

    @Test
    void badTargetsAreRefusedByTheValidator() throws Exception {
        var source = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        assertThatThrownBy(() -> ManifestValidator.validate(RestoreManifests.build("postgres-cluster", source,
                new RestoreManifests.RestoreRequest("pc-restored", "yesterday", null, null, null, null))))
                .hasMessageContaining("targetTime");
        assertThatThrownBy(() -> ManifestValidator.validate(RestoreManifests.build("postgres-cluster", source,
                new RestoreManifests.RestoreRequest("pc-restored", null, "../../x", null, null, null))))
                .hasMessageContaining("backupID");
        assertThatThrownBy(() -> ManifestValidator.validate(RestoreManifests.build("postgres-cluster", source,
                new RestoreManifests.RestoreRequest("Bad_Name", null, null, null, null, null))))
                .hasMessageContaining("metadata.name");
    }
}
