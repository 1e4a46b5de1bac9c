package io.pgpilot.gateway;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.launcher.GatewayClient;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /api/v1/events} against real Kafka: filters, ids, resume with Last-Event-ID, limits, validation. */
class EventStreamIT {

    static KafkaBroker kafka;
    static ConfigurableApplicationContext app;
    static EventBus bus;
    static int port;
    static GatewayClient gateway;
    final List<SseClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("gateway-events-it");
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        app = new SpringApplicationBuilder(ApiGatewayApplication.class).run("--server.port=0",
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + tmp.resolve("home"),
                "--pgpilot.events.max-subscribers=3", "--pgpilot.events.heartbeat=200ms");
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        gateway = GatewayClient.admin("http://127.0.0.1:" + port, tmp.resolve("home"));
        bus = new EventBus(kafka.bootstrapServers(), "events-it", Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        bus.close();
        app.close();
        kafka.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(SseClient::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.getBean(EventStreamController.class).activeSubscribers() == 0);
    }

    /** One SSE message as a client sees it. */
    record Message(String id, String event, String data) {
        @SuppressWarnings("unchecked")
        Map<String, Object> cloudEvent() {
            return Json.MAPPER.readValue(data, Map.class);
        }
    }

    /** A minimal EventSource: reads the stream on its own thread and keeps messages and comments. */
    final class SseClient implements AutoCloseable {
        final int status;
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<String> comments = new CopyOnWriteArrayList<>();
        final String errorBody;
        private final Stream<String> lines;

        SseClient(String query, String lastEventId) throws Exception {
            HttpRequest.Builder request = gateway.request("/api/v1/events" + query)
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<Stream<String>> response = gateway.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            status = response.statusCode();
            lines = response.body();
            clients.add(this);
            if (status != 200) {
                errorBody = String.join("\n", lines.toList());
                return;
            }
            errorBody = null;
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            Thread.ofVirtual().start(() -> {
                String id = null, event = null;
                StringBuilder data = new StringBuilder();
                try {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.isEmpty()) {
                            if (!data.isEmpty()) {
                                messages.add(new Message(id, event, data.toString()));
                            }
                            id = null;
                            event = null;
                            data.setLength(0);
                        } else if (line.startsWith(":")) {
                            comments.add(line.substring(1));
                        } else if (line.startsWith("id:")) {
                            id = line.substring(3);
                        } else if (line.startsWith("event:")) {
                            event = line.substring(6);
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5));
                        }
                    }
                } catch (RuntimeException e) {
                    // closed
                }
            });
        }

        /** Waits for the server's first comment: from then on, every new event reaches this client. */
        SseClient subscribed() {
            await().atMost(Duration.ofSeconds(15)).until(() -> comments.stream().anyMatch(c -> c.startsWith("subscribed at")));
            return this;
        }

        List<String> subjects() {
            return messages.stream().map(m -> m.cloudEvent().get("subject") + "/" + m.event()).toList();
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    static void publish(String cluster, String type) {
        bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("it", type, cluster, null, Map.of("n", 1)));
    }

    @Test
    void newEventsOnlyByDefaultAsCloudEventsWithTheirTypeAndPosition() throws Exception {
        publish("before", "instance.created");
        SseClient client = new SseClient("", null).subscribed();
        publish("alpha", "instance.created");
        await().atMost(Duration.ofSeconds(15)).until(() -> client.messages.size() == 1);
        Message m = client.messages.getFirst();
        assertThat(m.event()).isEqualTo("io.pgpilot.instance.created");
        assertThat(m.id()).matches(StreamPosition.FORMAT);
        assertThat(m.cloudEvent()).containsEntry("specversion", "1.0").containsEntry("subject", "alpha")
                .containsEntry("type", "io.pgpilot.instance.created").containsKey("id").containsKey("time");
        // keep-alive comments while nothing happens
        await().atMost(Duration.ofSeconds(5)).until(() -> client.comments.contains("keep-alive"));
        assertThat(client.subjects()).doesNotContain("before/io.pgpilot.instance.created");
    }

    @Test
    void filtersByClusterAndTypeFamily() throws Exception {
        SseClient client = new SseClient("?cluster=ha&type=failover.*", null).subscribed();
        publish("ha", "instance.created");
        publish("other", "failover.started");
        publish("ha", "failover.started");
        publish("ha", "failover.completed");
        await().atMost(Duration.ofSeconds(15)).until(() -> client.messages.size() == 2);
        assertThat(client.subjects()).containsExactly("ha/io.pgpilot.failover.started", "ha/io.pgpilot.failover.completed");
    }

    @Test
    void aClientThatReconnectsWithLastEventIdMissesNothingAndGetsNothingTwice() throws Exception {
        String family = "resume" + System.nanoTime() % 100000;
        SseClient first = new SseClient("?type=" + family + ".*", null).subscribed();
        // different keys spread over the partitions
        List<String> before = List.of("c-a", "c-b", "c-c", "c-d");
        before.forEach(c -> publish(c, family + ".one"));
        await().atMost(Duration.ofSeconds(15)).until(() -> first.messages.size() == before.size());
        String lastId = first.messages.getLast().id();
        first.close();
        List<String> during = List.of("c-e", "c-a", "c-f", "c-b", "c-g");
        during.forEach(c -> publish(c, family + ".two"));
        SseClient again = new SseClient("?type=" + family + ".*", lastId);
        await().atMost(Duration.ofSeconds(15)).until(() -> again.messages.size() >= during.size());
        publish("c-h", family + ".three");
        await().atMost(Duration.ofSeconds(15)).until(() -> again.messages.size() == during.size() + 1);
        assertThat(again.subjects()).filteredOn(s -> s.endsWith(".two"))
                .containsExactlyInAnyOrderElementsOf(during.stream().map(c -> c + "/io.pgpilot." + family + ".two").toList());
        assertThat(again.subjects()).noneMatch(s -> s.endsWith(".one"));
        assertThat(again.subjects().getLast()).isEqualTo("c-h/io.pgpilot." + family + ".three");
        // from the beginning: the whole retained history of that family, in order per cluster
        SseClient history = new SseClient("?type=" + family + ".*&from=beginning", null);
        await().atMost(Duration.ofSeconds(15)).until(() -> history.messages.size() == before.size() + during.size() + 1);
        assertThat(history.subjects().stream().filter(s -> s.startsWith("c-a/")).toList())
                .containsExactly("c-a/io.pgpilot." + family + ".one", "c-a/io.pgpilot." + family + ".two");
    }

    @Test
    void invalidParametersAndIdsAre400WithAClearMessage() throws Exception {
        assertRefused("?cluster=" + URLEncoder.encode("../etc", StandardCharsets.UTF_8), null, "cluster:");
        assertRefused("?type=" + URLEncoder.encode("x; drop", StandardCharsets.UTF_8), null, "type:");
        assertRefused("?from=yesterday", null, "from:");
        assertRefused("", "0:1,banana", "Last-Event-ID");
        assertRefused("", "0:1,0:2", "twice");
    }

    private void assertRefused(String query, String lastEventId, String message) throws Exception {
        SseClient refused = new SseClient(query, lastEventId);
        assertThat(refused.status).isEqualTo(400);
        assertThat(refused.errorBody).contains("\"error\"").contains(message);
    }

    @Test
    void subscribersAreCappedAndAGoneClientFreesItsPlace() throws Exception {
        SseClient one = new SseClient("", null).subscribed();
        new SseClient("", null).subscribed();
        new SseClient("", null).subscribed();
        SseClient fourth = new SseClient("", null);
        assertThat(fourth.status).isEqualTo(503);
        assertThat(fourth.errorBody).contains("too many event subscribers");
        one.close();
        // noticed at the next keep-alive write: its Kafka consumer is closed and its place free
        await().atMost(Duration.ofSeconds(10)).until(() -> app.getBean(EventStreamController.class).activeSubscribers() == 2);
        assertThat(new SseClient("", null).subscribed().status).isEqualTo(200);
    }
}
