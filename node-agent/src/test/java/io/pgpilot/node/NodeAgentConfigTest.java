package io.pgpilot.node;

import io.pgpilot.instance.runtime.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAgentConfigTest {

    static Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("name", "node-a");
        values.put("address", "10.77.0.11");
        values.put("kafka-bootstrap-servers", "10.77.0.1:9092");
        values.put("join-token-file", "/etc/pgpilot/join-token");
        values.put("home", "/var/lib/pgpilot-node");
        return values;
    }

    @Test
    void defaults() {
        NodeAgentConfig config = NodeAgentConfig.of(minimal());
        assertThat(config.capacity()).isEqualTo(4);
        assertThat(config.basePort()).isEqualTo(5432);
        assertThat(config.httpPort()).isEqualTo(8008);
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.zone()).isEmpty();
        assertThat(config.osUser()).isNull();
        assertThat(config.instanceHeartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.probeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.selfFenceTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.publishedLabels()).containsExactly(Map.entry("pgpilot.io/agent-port", "8008"));
        Instant t = Instant.parse("2026-12-02T00:00:00Z");
        var record = NodeRegistration.record(config, t, t.plusSeconds(2));
        assertThat(record.name()).isEqualTo("node-a");
        assertThat(record.address()).isEqualTo("10.77.0.11");
        assertThat(record.heartbeatAt()).isEqualTo(t.plusSeconds(2));
    }

    @Test
    void labelsZoneCapacity() {
        Map<String, String> values = minimal();
        values.put("labels", "disk=ssd, topology.kubernetes.io/rack=r1");
        values.put("zone", "room-1");
        values.put("capacity", "0");
        values.put("http-port", "18008");
        NodeAgentConfig config = NodeAgentConfig.of(values);
        assertThat(config.publishedLabels()).containsEntry("disk", "ssd").containsEntry("topology.kubernetes.io/rack", "r1")
                .containsEntry("pgpilot.io/agent-port", "18008");
        assertThat(config.capacity()).isZero();
        assertThat(config.zone()).isEqualTo("room-1");
    }

    @Test
    void everyViolationNamesItsField() {
        Map<String, String> values = minimal();
        values.put("adress", "10.0.0.1");
        values.put("address", "node-a.example");
        values.put("labels", "nokey,pgpilot.io/agent-port=1");
        values.put("capacity", "-1");
        values.put("heartbeat-interval", "2h");
        values.put("home", "relative");
        values.remove("kafka-bootstrap-servers");
        assertThatThrownBy(() -> NodeAgentConfig.of(values)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.getMessage()).startsWith("invalid node agent configuration");
            assertThat(e.violations()).anyMatch(v -> v.startsWith("field 'adress': unknown"))
                    .anyMatch(v -> v.startsWith("field 'address':")).anyMatch(v -> v.contains("'nokey' is not key=value"))
                    .anyMatch(v -> v.contains("pgpilot.io/agent-port is set by the agent"))
                    .anyMatch(v -> v.startsWith("field 'capacity':")).anyMatch(v -> v.startsWith("field 'heartbeat-interval':"))
                    .anyMatch(v -> v.startsWith("field 'home':")).anyMatch(v -> v.equals("field 'kafka-bootstrap-servers': required"));
        });
    }

    @Test
    void theSelfFenceTimeoutSpansAtLeastTwoInstanceHeartbeats() {
        Map<String, String> values = minimal();
        values.put("instance-heartbeat-interval", "2s");
        values.put("self-fence-timeout", "3s");
        assertThatThrownBy(() -> NodeAgentConfig.of(values)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.violations()).containsExactly("field 'self-fence-timeout': must be at least two instance heartbeat intervals (4000 ms)"));
        values.put("self-fence-timeout", "4s");
        assertThat(NodeAgentConfig.of(values).selfFenceTimeout()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void theJoinTokenFileMustBePrivate() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "node-cfg-");
        try {
            Path token = dir.resolve("join-token");
            Files.writeString(token, "0123456789abcdef-token\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
            Map<String, String> values = minimal();
            values.put("join-token-file", token.toString());
            Path file = dir.resolve("agent.properties");
            StringBuilder text = new StringBuilder();
            values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(file, text);
            assertThatThrownBy(() -> NodeAgentConfig.load(file)).isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("field 'join-token-file'").hasMessageContaining("chmod 600");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            assertThat(NodeAgentConfig.load(file).name()).isEqualTo("node-a");
            assertThat(NodeAgentConfig.joinToken(token)).isEqualTo("0123456789abcdef-token");
            Files.writeString(token, "short");
            assertThatThrownBy(() -> NodeAgentConfig.load(file)).hasMessageContaining("at least 16").hasMessageNotContaining("short");
            assertThatThrownBy(() -> NodeAgentConfig.load(dir.resolve("missing.properties"))).isInstanceOf(InvalidConfigException.class)
                    .hasMessageStartingWith("invalid node agent configuration");
        } finally {
            io.pgpilot.instance.layout.Files2.deleteRecursively(dir);
        }
    }
}
