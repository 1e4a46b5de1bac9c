package io.pgpilot.instance.node;

import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceLayout;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class NodePathsTest {

    @Test
    void theNodesPathsReplaceTheControlPlanes() {
        InstanceLayout layout = InstanceLayout.of(Path.of("/node"), "c", 2);
        ManagedSettings cp = new ManagedSettings("c-2", 5433, Path.of("/cp/sock"), Path.of("/cp/log"), "ANY 1 (c-1)",
                new Upstream("10.0.0.1", 5432, Path.of("/cp/tls")));
        ManagedSettings local = NodePaths.localize(cp, layout);
        assertThat(local.socketDirectory()).isEqualTo(Path.of("/node/clusters/c/c-2/sock"));
        assertThat(local.logDirectory()).isEqualTo(Path.of("/node/clusters/c/c-2/log"));
        assertThat(local.upstream()).isEqualTo(new Upstream("10.0.0.1", 5432, Path.of("/node/clusters/c/c-2/tls")));
        assertThat(local.port()).isEqualTo(5433);
        assertThat(local.synchronousStandbyNames()).isEqualTo("ANY 1 (c-1)");
        assertThat(NodePaths.localize(cp.withRecovery(null), layout).upstream()).isNotNull();
        assertThat(NodePaths.localize(new ManagedSettings("c-2", 5433, Path.of("/a"), Path.of("/b"), "", null), layout).upstream()).isNull();
    }
}
