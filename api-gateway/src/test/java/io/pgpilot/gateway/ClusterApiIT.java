package io.pgpilot.gateway;

import tools.jackson.databind.JsonNode;
import io.pgpilot.events.Json;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.launcher.GatewayClient;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("gateway-it");
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        app = new SpringApplicationBuilder(ApiGatewayApplication.class).run("--server.port=0",
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + tmp.resolve("home"));
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        home = tmp.resolve("home");
        gateway = GatewayClient.admin("http://127.0.0.1:" + port, home);
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

    /**
     * Every route the gateway's controllers map under /api/v1 is in the OpenAPI description
     * ({@code /v3/api-docs}, viewer like every GET), with its success code and the shared error
     * body for 400/401/403 (and 404 where the path names something).
     */
    @Test
    void theOpenApiDescriptionCoversEveryRoute() throws Exception {
        var viewer = new GatewayClient(gateway.baseUrl(), home, "viewer");
        var anonymous = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway.baseUrl() + "/v3/api-docs")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> docs = viewer.send("GET", "/v3/api-docs", null, null);
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(viewer.send("GET", "/v3/api-docs.yaml", null, null).body()).startsWith("openapi: 3");
        JsonNode api = Json.MAPPER.readTree(docs.body());
        assertThat(api.path("openapi").asText()).startsWith("3.");
        assertThat(api.at("/components/schemas/Error/required").toString()).contains("error").contains("violations");

        Set<String> mapped = new TreeSet<>();
        app.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class).getHandlerMethods().keySet()
                .forEach(info -> info.getPatternValues().stream().filter(p -> p.startsWith("/api/v1/")).forEach(path ->
                        info.getMethodsCondition().getMethods().forEach(m -> mapped.add(m.name() + " " + path))));
        assertThat(mapped).hasSizeGreaterThanOrEqualTo(20);
        for (String route : mapped) {
            String method = route.substring(0, route.indexOf(' ')).toLowerCase();
            String path = route.substring(route.indexOf(' ') + 1);
            JsonNode responses = api.path("paths").path(path).path(method).path("responses");
            assertThat(responses.isObject()).as("%s is described", route).isTrue();
            assertThat(responses.properties().stream().map(Map.Entry::getKey).filter(c -> c.startsWith("2")).toList())
                    .as("%s has one success code", route).hasSize(1);
            List<String> refusals = path.contains("{") ? List.of("400", "401", "403", "404") : List.of("400", "401", "403");
            for (String code : refusals) {
                assertThat(responses.path(code).at("/content/application~1json/schema/$ref").asText())
                        .as("%s %s has the Error body", route, code).isEqualTo("#/components/schemas/Error");
            }
        }
        assertThat(api.at("/paths/~1api~1v1~1clusters/post/responses").has("201")).isTrue();
        assertThat(api.at("/paths/~1api~1v1~1clusters~1{cluster}~1restore/post/responses").has("201")).isTrue();
        assertThat(api.at("/paths/~1api~1v1~1clusters~1{cluster}~1backups/post/responses").has("202")).isTrue();
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
