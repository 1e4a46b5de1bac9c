package io.pgpilot.provisioner;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProvisionerPropertiesTest {

    private static ProvisionerProperties withBackend(String backend) {
        return new ProvisionerProperties(null, null, null, null, null, null, null, null, backend);
    }

    @Test
    void theLocalBackendIsTheDefault() {
        assertThat(withBackend(null).backend()).isEqualTo("local");
        assertThat(withBackend(" ").backend()).isEqualTo("local");
        assertThat(withBackend("local").backend()).isEqualTo("local");
    }

    @Test
    void theNodesBackendIsKnown() {
        assertThat(withBackend("nodes").backend()).isEqualTo("nodes");
    }

    @Test
    void anUnknownBackendIsAStartUpErrorNamingTheProperty() {
        assertThatThrownBy(() -> withBackend("nomad")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pgpilot.provisioner.backend: unknown backend 'nomad' (known: local, nodes)");
    }

    @Test
    void kubernetesIsRefusedWithTheReasonUntilTheInstanceManagerConvergesFromDesiredState() {
        assertThatThrownBy(() -> withBackend("kubernetes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pgpilot.provisioner.backend: 'kubernetes' is not available yet")
                .hasMessageContaining("docs/kubernetes.md");
    }
}
