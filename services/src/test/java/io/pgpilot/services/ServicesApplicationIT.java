package io.pgpilot.services;

import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole service wired to a real Kafka: instance records and a topology in, endpoints out. */
class ServicesApplicationIT {

    @TempDir
    Path tmp;

    @Test
    void publishesEndpointsAndRoutesRwFromKafkaEvents() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres pg = TestPostgres.start(tmp.resolve("pg"), "one");
             EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(5))) {

            Map<String, EndpointsRecord> endpoints = new ConcurrentHashMap<>();
            List<PlatformEvent> events = new CopyOnWriteArrayList<>();
            try (TopicTailer tail = new TopicTailer(kafka.bootstrapServers(), "it-tail",
                    Map.of(Topics.ENDPOINTS, TopicTailer.Start.BEGINNING, Topics.EVENTS, TopicTailer.Start.BEGINNING),
                    (topic, key, value) -> {
                        if (topic.equals(Topics.ENDPOINTS) && value != null) {
                            endpoints.put(key, Json.read(value, EndpointsRecord.class));
                        } else if (topic.equals(Topics.EVENTS) && value != null) {
                            events.add(Json.read(value, PlatformEvent.class));
                        }
                    }).start()) {

                bus.publish(Topics.INSTANCES, Topics.instanceKey("shop", "shop-1"), new InstanceRecord("shop", "shop-1", 1,
                        "127.0.0.1", pg.port(), pg.dataDir().toString(), InstanceRecord.Phase.RUNNING, Instant.now(), InstanceRecord.PRIMARY));
                bus.publish(Topics.TOPOLOGY, "shop", new Topology("shop", 7, "shop-1", List.of(), List.of(), 1, Instant.now(), "it"));

                Path home = tmp.resolve("home");
                ConfigurableApplicationContext app = SpringApplication.run(ServicesApplication.class,
                        "--server.port=0",
                        "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(),
                        "--pgpilot.home=" + home,
                        "--pgpilot.services.base-port=" + FreePorts.next(),
                        "--pgpilot.services.resync-interval=500ms");
                long masterPid;
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> endpoints.containsKey("shop")
                            && endpoints.get("shop").topologyEpoch() == 7);
                    EndpointsRecord record = endpoints.get("shop");
                    assertThat(record.host()).isEqualTo("127.0.0.1");
                    assertThat(record.roPort()).isEqualTo(record.rwPort() + 1);
                    assertThat(record.rPort()).isEqualTo(record.rwPort() + 2);
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                            .until(() -> AccessLayerIT.reached(record.rwPort()) == pg.port());
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e ->
                            e.type().equals("io.pgpilot.endpoints.updated") && "shop".equals(e.subject())));
                    assertThat(Files.readString(home.resolve("services/ports.json"))).contains("\"shop\"");
                    masterPid = Long.parseLong(Files.readString(home.resolve("services/haproxy.pid")).strip());
                    assertThat(ProcessHandle.of(masterPid)).isPresent();
                } finally {
                    app.close();
                }
                // no orphan HAProxy after shutdown
                await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(masterPid).map(p -> !p.isAlive()).orElse(true));
            }
        }
    }
}
