package io.pgpilot.gateway;

import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.testkit.GatewayClient;
import io.pgpilot.testkit.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The REST API against real Kafka: what is accepted reaches the specs topic, nothing else does. */
class ClusterApiIT {

    static KafkaBroker kafka;
    static ConfigurableApplicationContext app;
    static int port;
    static final List<String> specKeys = new CopyOnWriteArrayList<>();
    static TopicTailer specs;
    static GatewayClient gateway;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("gateway-it");
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        app = new SpringApplicationBuilder(ApiGatewayApplication.class).run("--server.port=0",
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + tmp.resolve("home"));
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        gateway = GatewayClient.admin("http://127.0.0.1:" + port, tmp.resolve("home"));
        specs = new TopicTailer(kafka.bootstrapServers(), "it-specs", Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> specKeys.add(key + (value == null ? ":deleted" : ""))).start();
    }

    @AfterAll
    static void stop() {
        specs.close();
        app.close();
        kafka.close();
    }

    static String example() throws Exception {
        return Files.readString(Path.of("../examples/postgres-cluster.yaml"));
    }

    static HttpResponse<String> send(String method, String path, String contentType, String body) {
        return gateway.send(method, path, contentType, body);
    }

    @Test
    void lifecycleOfTheReferenceCluster() throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/clusters", "application/yaml", example());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/clusters/postgres-cluster");
        assertThat(created.body()).contains("\"name\":\"postgres-cluster\"").contains("Setting up primary");

        assertThat(send("POST", "/api/v1/clusters", "application/yaml", example()).statusCode()).isEqualTo(409);
        assertThat(send("GET", "/api/v1/clusters", null, null).body()).contains("postgres-cluster");
        HttpResponse<String> one = send("GET", "/api/v1/clusters/postgres-cluster", null, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).contains("\"instances\":3");
        assertThat(send("GET", "/api/v1/clusters/nope", null, null).statusCode()).isEqualTo(404);

        assertThat(send("DELETE", "/api/v1/clusters/postgres-cluster", null, null).statusCode()).isEqualTo(202);
        assertThat(send("GET", "/api/v1/clusters/postgres-cluster", null, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/clusters/postgres-cluster", null, null).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> specKeys.contains("postgres-cluster:deleted"));
        assertThat(specKeys).containsExactly("postgres-cluster", "postgres-cluster:deleted");
    }

    @Test
    void jsonManifestsAreAccepted() throws Exception {
        String json = """
                {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"json-one"},"spec":{"instances":1}}""";
        assertThat(send("POST", "/api/v1/clusters", "application/json", json).statusCode()).isEqualTo(201);
        assertThat(send("DELETE", "/api/v1/clusters/json-one", null, null).statusCode()).isEqualTo(202);
    }

    @Test
    void invalidManifestsAreRefusedWithTheFieldNamedAndNothingIsPublished() throws Exception {
        int before = specKeys.size();
        var unknown = send("POST", "/api/v1/clusters", "application/yaml", example().replace("  storage:", "  storag:"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("spec.storag").contains("unknown field");

        var badName = send("POST", "/api/v1/clusters", "application/yaml", example().replace("name: postgres-cluster", "name: Bad_Name"));
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("metadata.name");

        var zero = send("POST", "/api/v1/clusters", "application/yaml", example().replace("instances: 3", "instances: 0"));
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(zero.body()).contains("spec.instances");

        var garbage = send("POST", "/api/v1/clusters", "application/yaml", "metadata: {name: x\nspec: [");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not valid YAML");

        var huge = send("POST", "/api/v1/clusters", "application/yaml", example() + "#" + "x".repeat(70_000));
        assertThat(huge.statusCode()).isEqualTo(413);

        assertThat(send("POST", "/api/v1/clusters", "application/xml", "<a/>").statusCode()).isEqualTo(415);
        assertThat(send("POST", "/api/v1/clusters", "application/yaml", "").statusCode()).isEqualTo(400);

        var mismatch = send("PUT", "/api/v1/clusters/other", "application/yaml", example());
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("metadata.name");

        assertThat(specKeys).hasSize(before);
    }
}
