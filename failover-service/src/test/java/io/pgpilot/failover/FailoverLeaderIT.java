package io.pgpilot.failover;

import io.pgpilot.events.Json;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Leader election and fencing of the failover service's replicas against a real Kafka broker. */
class FailoverLeaderIT {

    @TempDir
    Path tmp;

    /** One replica as the coordinator wires it: its own view of the topology, its writer, its election. */
    private static final class Replica implements AutoCloseable {
        final String name;
        final Map<String, Long> epochs = new ConcurrentHashMap<>();
        final AtomicInteger activations = new AtomicInteger();
        final TopicTailer view;
        final FailoverLeader leader;

        Replica(String bootstrap, String name, String transactionalId) {
            this.name = name;
            view = new TopicTailer(bootstrap, "view-" + name, Map.of(Topics.TOPOLOGY, TopicTailer.Start.BEGINNING),
                    (topic, key, value) -> {
                        if (value != null) {
                            epochs.merge(key, ((Number) Json.read(value, Map.class).get("epoch")).longValue(), Math::max);
                        }
                    }).start();
            leader = new FailoverLeader(name, new TopologyWriter(bootstrap, transactionalId, Duration.ofSeconds(5)),
                    view::sync, activations::incrementAndGet, () -> { })
                    .join(bootstrap, Duration.ofSeconds(6));
        }

        /** The next epoch for the cluster from this replica's view, published as the leader. */
        long decide(String cluster) {
            long next = epochs.getOrDefault(cluster, 0L) + 1;
            leader.publish(Topics.TOPOLOGY, cluster, Map.of("cluster", cluster, "epoch", next, "by", name));
            epochs.merge(cluster, next, Math::max); // adopted once published, as the coordinator does
            return next;
        }

        @Override
        public void close() {
            leader.close();
            view.close();
        }
    }

    @Test
    void oneReplicaDecidesAndTheOtherContinuesTheEpochsWhenItLeaves() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             Replica a = new Replica(kafka.bootstrapServers(), "a", "it-failover-1");
             Replica b = new Replica(kafka.bootstrapServers(), "b", "it-failover-1")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> a.leader.active() || b.leader.active());
            Replica first = a.leader.active() ? a : b;
            Replica second = first == a ? b : a;
            assertThat(second.leader.active()).isFalse();
            assertThatThrownBy(() -> second.decide("c")).isInstanceOf(NotLeaderException.class);

            assertThat(first.decide("c")).isEqualTo(1);
            assertThat(first.decide("c")).isEqualTo(2);
            first.leader.close(); // leaves the group: the other replica is elected at once

            await().atMost(Duration.ofSeconds(60)).until(second.leader::active);
            // caught up before its first decision: the epochs continue
            assertThat(second.epochs.get("c")).isEqualTo(2);
            assertThat(second.decide("c")).isEqualTo(3);
            assertThat(second.activations.get()).isEqualTo(1);
        }
    }

    @Test
    void aDeposedLeadersLateWriteIsFencedAndNeverVisible() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             Replica old = new Replica(kafka.bootstrapServers(), "old", "it-failover-2")) {
            await().atMost(Duration.ofSeconds(60)).until(old.leader::active);
            assertThat(old.decide("c")).isEqualTo(1);

            // the group elected another replica while "old" was paused: the new one takes over the transactional id
            List<String> seen = new CopyOnWriteArrayList<>();
            try (TopologyWriter newer = new TopologyWriter(kafka.bootstrapServers(), "it-failover-2", Duration.ofSeconds(5));
                 TopicTailer reader = new TopicTailer(kafka.bootstrapServers(), "reader", Map.of(Topics.TOPOLOGY, TopicTailer.Start.BEGINNING),
                         (topic, key, value) -> seen.add(key + "=" + value))) {
                newer.takeOver();

                // "old" wakes up still believing it leads, and publishes a stale decision
                assertThatThrownBy(() -> old.decide("c")).isInstanceOf(NotLeaderException.class);
                assertThat(old.leader.active()).as("a fenced replica stops deciding").isFalse();

                newer.publish(Topics.TOPOLOGY, "marker", Map.of("cluster", "marker", "epoch", 1));
                reader.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(s -> s.startsWith("marker=")));
                assertThat(seen).filteredOn(s -> s.startsWith("c=")).hasSize(1)
                        .allSatisfy(s -> assertThat(s).contains("\"epoch\":1"));
            }
        }
    }
}
