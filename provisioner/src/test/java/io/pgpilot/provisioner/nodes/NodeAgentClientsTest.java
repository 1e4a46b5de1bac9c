package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.instance.ProvisioningException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAgentClientsTest {

    @TempDir
    Path tmp;

    private static NodeRecord node(Map<String, String> labels) {
        return new NodeRecord("n1", "10.0.0.1", "", labels, 4, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void theAgentPortComesFromTheNodesLabel() {
        assertThat(NodeAgentClients.agentPort(node(Map.of(NodeAgentClients.AGENT_PORT_LABEL, "8008")))).isEqualTo(8008);
        assertThatThrownBy(() -> NodeAgentClients.agentPort(node(Map.of()))).isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("n1").hasMessageContaining(NodeAgentClients.AGENT_PORT_LABEL);
        assertThatThrownBy(() -> NodeAgentClients.agentPort(node(Map.of(NodeAgentClients.AGENT_PORT_LABEL, "70000"))))
                .isInstanceOf(ProvisioningException.class);
    }

    @Test
    void theJoinTokenFileMustBePrivateAndHoldOneToken() throws Exception {
        Path file = Files.writeString(tmp.resolve("token"), "0123456789abcdef-token\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(NodeAgentClients.readJoinToken(file)).isEqualTo("0123456789abcdef-token");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> NodeAgentClients.readJoinToken(file)).hasMessageContaining("chmod 600").hasMessageNotContaining("0123456789");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, "short");
        assertThatThrownBy(() -> NodeAgentClients.readJoinToken(file)).hasMessageContaining("at least 16").hasMessageNotContaining("short\n");
    }
}
