package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.provisioner.placement.NodeView;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The placer's view of the nodes over real Kafka: what pgpilot.nodes held at start, new heartbeats, a deregistration. */
class NodeDirectoryKafkaIT {

    @Test
    void followsTheNodesTopic() throws Exception {
        Path tmp = Files.createTempDirectory(Path.of("/tmp"), "cp-kafka-");
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10))) {
            EventBus.ensureTopics(kafka.bootstrapServers(), (short) 1);
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            bus.publish(Topics.NODES, "node-a", new NodeRecord("node-a", "10.0.0.1", "z1", Map.of("pgpilot.io/agent-port", "7070"), 4, t0, t0));
            bus.publish(Topics.NODES, "node-b", new NodeRecord("node-b", "10.0.0.2", "z2", Map.of(), 0, t0, t0));

            try (NodeDirectory directory = NodeDirectory.following(kafka.bootstrapServers(), Clock.systemUTC(), Duration.ofSeconds(30))) {
                // caught up before it answers: both nodes at once
                assertThat(directory.views()).extracting(NodeView::name).containsExactly("node-a", "node-b");
                assertThat(directory.record("node-a")).map(NodeRecord::address).contains("10.0.0.1");
                assertThat(directory.views().get(1).capacity()).isZero();
                Instant firstSeen = directory.views().getFirst().lastSeen();

                Thread.sleep(50);
                bus.publish(Topics.NODES, "node-a", new NodeRecord("node-a", "10.0.0.1", "z1", Map.of(), 4, t0, t0.plusSeconds(1)));
                await().atMost(Duration.ofSeconds(10)).until(() -> directory.views().getFirst().lastSeen().isAfter(firstSeen));

                bus.tombstone(Topics.NODES, "node-b");
                await().atMost(Duration.ofSeconds(10)).until(() -> directory.record("node-b").isEmpty());
            }
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
