package io.pgpilot.health;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real Kafka, real PostgreSQL, the real monitor application. */
class HealthMonitorIT {

    @TempDir
    Path tmp;

    @Test
    void publishesHeartbeatsAndAnswersProbesUntilTheInstanceDies() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/hm-superuser.json"), "{\"username\":\"postgres\",\"password\":\"unused-with-trust\"}");
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres pg = TestPostgres.start(tmp.resolve("pg"), "hm-1");
             EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(5))) {
            List<Heartbeat> seen = new CopyOnWriteArrayList<>();
            try (TopicTailer heartbeats = new TopicTailer(kafka.bootstrapServers(), "it-heartbeats",
                    Map.of(Topics.HEARTBEATS, TopicTailer.Start.BEGINNING),
                    (topic, key, value) -> seen.add(Json.read(value, Heartbeat.class))).start();
                 var app = new SpringApplicationBuilder(HealthMonitorApplication.class).run(
                         "--server.port=0", "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(),
                         "--pgpilot.home=" + home, "--pgpilot.health.interval=300ms")) {
                bus.publish(Topics.INSTANCES, Topics.instanceKey("hm", "hm-1"), new InstanceRecord("hm", "hm-1", 1,
                        "127.0.0.1", pg.port(), pg.dataDir().toString(), InstanceRecord.Phase.RUNNING, Instant.now(), null));
                int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));

                await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(h -> h.isUp()));
                Heartbeat up = seen.stream().filter(Heartbeat::isUp).findFirst().orElseThrow();
                assertThat(up.role()).isEqualTo(Heartbeat.Role.PRIMARY);
                assertThat(up.timeline()).isEqualTo(1);
                assertThat(up.currentLsn()).isPositive();
                assertThat(up.processAlive()).isTrue();
                assertThat(status(port, "/instances/hm/hm-1/primary")).isEqualTo(200);
                assertThat(status(port, "/instances/hm/hm-1/replica")).isEqualTo(503);
                assertThat(status(port, "/instances/hm/hm-1/health")).isEqualTo(200);
                assertThat(status(port, "/instances/hm/hm-9/health")).isEqualTo(404);
                assertThat(status(port, "/instances/hm/..%2Fetc/health")).isIn(400, 404);

                pg.stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.getLast().state() == Heartbeat.State.DOWN);
                assertThat(seen.getLast().processAlive()).isFalse();
                await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/instances/hm/hm-1/health") == 503);
            }
        }
    }

    private static int status(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
