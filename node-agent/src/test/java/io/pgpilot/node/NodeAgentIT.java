package io.pgpilot.node;

import io.pgpilot.events.Json;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeScenario;
import io.pgpilot.instance.node.wire.NodeAgentClient;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.NetworkTestBed;
import io.pgpilot.testkit.TestCa;
import io.pgpilot.launcher.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two node agents as real processes, each in its own host of a test bed; Kafka and the test (the
 * control plane's part) in the root namespace, reached over the bed's root link: registration,
 * a primary on node 1, a replica on node 2 cloned over the bed's network, TLS streaming seen from
 * the root namespace, then node 1 loses power and its client fails with a retryable error in time.
 */
class NodeAgentIT {

    static final String TOKEN = "join-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-it";
    static final int HTTP_PORT = 18008;

    Path root;
    NetworkTestBed bed;
    KafkaBroker kafka;
    TopicTailer tailer;
    final Map<String, NodeRecord> nodes = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory(Path.of("/tmp"), "node-agentit-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        bed = NetworkTestBed.create("n1", List.of("node1", "node2"), true);
        kafka = KafkaBroker.startOn(bed.rootAddress(), root.resolve("kafka"));
    }

    @AfterEach
    void tearDown() {
        if (tailer != null) {
            tailer.close();
        }
        if (bed != null) {
            bed.close(); // kills the agents and their PostgreSQL servers
        }
        if (kafka != null) {
            kafka.close();
        }
        Files2.deleteRecursively(root);
    }

    private void startAgent(NetworkTestBed.Host host) throws Exception {
        Path dir = Files.createDirectories(root.resolve(host.name()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path token = dir.resolve("join-token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = dir.resolve("agent.properties");
        Files.writeString(config, String.join("\n", "name=" + host.name(), "address=" + host.address(), "zone=z-" + host.name(),
                "labels=disk=ssd", "kafka-bootstrap-servers=" + kafka.bootstrapServers(), "join-token-file=" + token,
                "home=" + home, "base-port=25432", "http-port=" + HTTP_PORT, "heartbeat-interval=500ms", ""));
        bed.start(host, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), NodeAgentMain.class.getName(), config.toString()),
                dir.resolve("agent.log"));
    }

    private static NodeAgentClient client(NetworkTestBed.Host host) {
        return new NodeAgentClient(host.address(), HTTP_PORT, TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void registerCloneAcrossHostsStreamAndLoseANode() throws Exception {
        NetworkTestBed.Host host1 = bed.host("node1");
        NetworkTestBed.Host host2 = bed.host("node2");
        startAgent(host1);
        startAgent(host2);
        tailer = new TopicTailer(kafka.bootstrapServers(), "node-agent-it", Map.of(Topics.NODES, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> {
                    if (value != null) {
                        nodes.put(key, Json.read(value, NodeRecord.class));
                    }
                }).start();
        Waits.until("both node records on " + Topics.NODES, Duration.ofSeconds(60), () -> nodes.size() == 2);
        NodeRecord record = nodes.get("node1");
        assertThat(record.address()).isEqualTo(host1.address());
        assertThat(record.zone()).isEqualTo("z-node1");
        assertThat(record.labels()).containsEntry("disk", "ssd").containsEntry(NodeAgentConfig.AGENT_PORT_LABEL, String.valueOf(HTTP_PORT));
        assertThat(record.capacity()).isEqualTo(4);
        var first = nodes.get("node2").heartbeatAt();
        Waits.until("a heartbeat re-publish", Duration.ofSeconds(10), () -> nodes.get("node2").heartbeatAt().isAfter(first));

        NodeAgentClient node1 = client(host1);
        NodeAgentClient node2 = client(host2);
        Waits.until("the agents answer", Duration.ofSeconds(30), () -> {
            try {
                return node1.clusters().isEmpty() && node2.clusters().isEmpty();
            } catch (ProvisioningException e) {
                return false;
            }
        });
        NodeScenario scenario = new NodeScenario(TestCa.create(root.resolve("ca")));
        InstanceRef primary = new InstanceRef(NodeScenario.CLUSTER, 1);
        InstanceRef replica = new InstanceRef(NodeScenario.CLUSTER, 2);
        InstanceMetadata p = scenario.primary(node1, primary); // SQL from the root namespace to 10.77.0.11 over TLS
        scenario.replica(node2, replica, host1.address(), p.port()); // streaming over TLS confirmed on the primary
        assertThat(node2.observeMembers(NodeScenario.CLUSTER).get(2).standby()).isTrue();

        for (NetworkTestBed.Host host : List.of(host1, host2)) {
            String log = Files.readString(root.resolve(host.name()).resolve("agent.log"));
            assertThat(log).contains("node agent up: name=" + host.name() + " http=" + host.address() + ":" + HTTP_PORT)
                    .doesNotContain(TOKEN).doesNotContain(NodeScenario.SUPERUSER.password()).doesNotContain(NodeScenario.REPLICATION.password());
        }
        bed.powerLoss(host1);
        long started = System.nanoTime();
        assertThatThrownBy(() -> node1.isRunning(primary)).isInstanceOfSatisfying(ProvisioningException.class, e -> {
            assertThat(e.reason()).isEqualTo(ProvisioningException.Reason.NODE_UNREACHABLE);
            assertThat(e.reason().retryHelps()).isTrue();
            assertThat(e.getMessage()).doesNotContain(TOKEN);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(12));
        assertThat(node2.isRunning(replica)).as("node 2 goes on").isTrue();
        node2.stop(replica);
    }
}
