package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service end to end over real Kafka: a spec on the specs topic becomes 3 RUNNING inventory records. */
class ProvisionerKafkaIT {

    @TempDir
    Path tmp;

    @Test
    void specOnKafkaBecomesRunningInstancesAndTombstoneDeletesThem() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        Map<String, InstanceRecord> inventory = new ConcurrentHashMap<>();
        List<String> tombstones = new CopyOnWriteArrayList<>();
        List<PlatformEvent> events = new CopyOnWriteArrayList<>();

        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(10));
             TopicTailer tail = new TopicTailer(kafka.bootstrapServers(), "it-tail",
                     Map.of(Topics.INSTANCES, TopicTailer.Start.BEGINNING, Topics.EVENTS, TopicTailer.Start.BEGINNING),
                     (topic, key, value) -> {
                         if (topic.equals(Topics.EVENTS)) {
                             events.add(Json.read(value, PlatformEvent.class));
                         } else if (value == null) {
                             inventory.remove(key);
                             tombstones.add(key);
                         } else {
                             inventory.put(key, Json.read(value, InstanceRecord.class));
                         }
                     }).start()) {
            var manifest = ManifestParser.parse(Files.readString(Path.of("../examples/postgres-cluster.yaml")));
            String[] args = {"--server.port=0",
                    "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(),
                    "--pgpilot.home=" + home,
                    "--pgpilot.provisioner.base-port=" + ThreadLocalRandom.current().nextInt(20000, 40000)};
            ConfigurableApplicationContext app = new SpringApplicationBuilder(ProvisionerApplication.class).run(args);
            try {
                long started = System.nanoTime();
                bus.publish(Topics.SPECS, manifest.name(), new ClusterSpecRecord(manifest, 1, Instant.now()));
                await().atMost(Duration.ofSeconds(90)).until(() -> inventory.size() == 3
                        && inventory.values().stream().allMatch(r -> r.phase() == InstanceRecord.Phase.RUNNING));
                System.out.println("KAFKA_SPEC_TO_3_RUNNING_MS=" + (System.nanoTime() - started) / 1_000_000);
                assertThat(inventory.keySet()).containsExactlyInAnyOrder(
                        "postgres-cluster/postgres-cluster-1", "postgres-cluster/postgres-cluster-2", "postgres-cluster/postgres-cluster-3");
                await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.type().equals("io.pgpilot.cluster.ready")));
                assertThat(events).allSatisfy(e -> {
                    assertThat(e.source()).isEqualTo("/pgpilot/provisioner");
                    assertThat(e.subject()).isEqualTo("postgres-cluster");
                });

                Map<String, Integer> ports = new java.util.HashMap<>();
                inventory.forEach((k, r) -> ports.put(k, r.port()));

                // platform restart: closing the app stops every instance (data kept), a new one brings them back
                app.close();
                assertThat(LocalClusterProvisioningIT.postgresProcessesUnder(home)).isEmpty();
                Instant restarted = Instant.now();
                app = new SpringApplicationBuilder(ProvisionerApplication.class).run(args);
                await().atMost(Duration.ofSeconds(60)).until(() -> inventory.size() == 3 && inventory.values().stream()
                        .allMatch(r -> r.phase() == InstanceRecord.Phase.RUNNING && r.updatedAt().isAfter(restarted)));
                inventory.forEach((k, r) -> assertThat(r.port()).isEqualTo(ports.get(k)));
                assertThat(Files.exists(home.resolve("clusters/postgres-cluster/postgres-cluster-2/pgdata/standby.signal"))).isTrue();
                assertThat(Files.exists(home.resolve("clusters/postgres-cluster/postgres-cluster-1/pgdata/standby.signal"))).isFalse();

                bus.tombstone(Topics.SPECS, manifest.name());
                await().atMost(Duration.ofSeconds(60)).until(() -> inventory.isEmpty() && tombstones.size() == 3);
                await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.type().equals("io.pgpilot.cluster.deleted")));
                assertThat(home.resolve("clusters/postgres-cluster")).doesNotExist();
            } finally {
                app.close();
            }
            assertThat(LocalClusterProvisioningIT.postgresProcessesUnder(home)).isEmpty();
        }
    }
}
