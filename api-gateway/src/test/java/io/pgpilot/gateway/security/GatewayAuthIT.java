package io.pgpilot.gateway.security;

import com.sun.net.httpserver.HttpServer;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.gateway.ApiGatewayApplication;
import io.pgpilot.launcher.GatewayClient;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway with its embedded tokens and an OIDC provider's keys served over HTTP (a JWKS URL),
 * against real Kafka: 401 without or with a bad token (forged, expired, alg none, wrong issuer or
 * audience), 403 for a role too low, the call itself for a sufficient one, and an audit event for
 * every mutating call, with no token anywhere in events or logs.
 */
@ExtendWith(OutputCaptureExtension.class)
class GatewayAuthIT {

    static KafkaBroker kafka;
    static ConfigurableApplicationContext app;
    static HttpServer jwksServer;
    static Jwts jwts;
    static Path home;
    static String base;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final List<String> events = new CopyOnWriteArrayList<>();
    static TopicTailer tail;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("gateway-auth-it");
        home = tmp.resolve("home");
        jwts = new Jwts();
        byte[] jwks = jwts.jwks().getBytes(StandardCharsets.UTF_8);
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/jwks/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        jwksServer.start();
        kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
        app = new SpringApplicationBuilder(ApiGatewayApplication.class).run("--server.port=0",
                "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers(), "--pgpilot.home=" + home,
                "--pgpilot.gateway.auth.oidc.issuer=" + Jwts.ISSUER, "--pgpilot.gateway.auth.oidc.audience=" + Jwts.AUDIENCE,
                "--pgpilot.gateway.auth.oidc.jwks-url=http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks/",
                "--pgpilot.gateway.auth.oidc.viewer-groups=staff",
                "--pgpilot.gateway.auth.oidc.operator-groups=pgpilot-operators",
                "--pgpilot.gateway.auth.oidc.admin-groups=pgpilot-admins");
        base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        tail = new TopicTailer(kafka.bootstrapServers(), "auth-it-events", java.util.Map.of(Topics.EVENTS, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> events.add(value)).start();
    }

    @AfterAll
    static void stop() {
        if (tail != null) {
            tail.close();
        }
        if (app != null) {
            app.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
    }

    static String token(Role role) throws Exception {
        return Files.readString(home.resolve("secrets").resolve("api-token-" + role.id())).strip();
    }

    static HttpResponse<String> call(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/yaml");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String manifest(String name) {
        return """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: %s
                spec:
                  instances: 1
                """.formatted(name);
    }

    @Test
    void tokenFilesArePrivateAndHealthIsPublic() throws Exception {
        for (Role role : Role.values()) {
            Path file = home.resolve("secrets").resolve("api-token-" + role.id());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(call("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/actuator/prometheus", token(Role.VIEWER), null).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAValidTokenEveryRouteAnswers401() throws Exception {
        var none = call("GET", "/api/v1/clusters", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pgpilot\"");
        assertThat(none.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(none.body()).contains("\"error\":\"authentication required").contains("\"violations\":[]");

        var unknown = call("DELETE", "/api/v1/clusters/x", "w".repeat(43), null);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"pgpilot\", error=\"invalid_token\"");
        assertThat(call("GET", "/api/v1/clusters", null, null).body()).doesNotContain(token(Role.ADMIN));
        assertThat(call("POST", "/api/v1/clusters/x/switchover", "Basic abc", null).statusCode()).isEqualTo(401);

        var admins = List.of("pgpilot-admins");
        Instant past = Instant.now().minus(Duration.ofHours(1));
        List<String> bad = List.of(
                jwts.forged(Jwts.claims("eve", admins).build()),
                Jwts.none(Jwts.claims("eve", admins).build()),
                jwts.hs256(Jwts.claims("eve", admins).build()),
                jwts.rs256(Jwts.claims("eve", admins).issuer("https://evil.example.test/").build()),
                jwts.rs256(Jwts.claims("eve", admins).audience("another-client").build()),
                jwts.rs256(Jwts.claims("eve", admins).expirationTime(Date.from(past)).build()),
                jwts.rs256(Jwts.claims("eve", admins).notBeforeTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build()));
        for (String token : bad) {
            var refused = call("POST", "/api/v1/clusters", token, manifest("evil"));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(refused.body()).startsWith("{\"error\":\"invalid token");
        }
        // the event stream too
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void eachRoleDoesWhatItMayAndGets403ForTheRest() throws Exception {
        String viewer = token(Role.VIEWER);
        String operator = token(Role.OPERATOR);
        String admin = token(Role.ADMIN);
        assertThat(call("GET", "/api/v1/clusters", viewer, null).statusCode()).isEqualTo(200);
        var forbidden = call("POST", "/api/v1/clusters", viewer, manifest("roles"));
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"pgpilot\", error=\"insufficient_scope\", scope=\"admin\"");
        assertThat(forbidden.body()).contains("role viewer may not POST /api/v1/clusters; requires admin");
        assertThat(call("POST", "/api/v1/clusters/roles/switchover", viewer, null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/clusters", operator, manifest("roles")).statusCode()).isEqualTo(403);

        assertThat(call("POST", "/api/v1/clusters", admin, manifest("roles")).statusCode()).isEqualTo(201);
        // an operator passes the door; the cluster has no primary yet, which the controller says
        assertThat(call("POST", "/api/v1/clusters/roles/switchover", operator, null).statusCode()).isEqualTo(409);
        assertThat(call("DELETE", "/api/v1/clusters/roles", operator, null).statusCode()).isEqualTo(403);
        // a route no rule names needs admin
        assertThat(call("POST", "/api/v1/clusters/roles/some-new-operation", operator, null).statusCode()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/clusters/roles", admin, null).statusCode()).isEqualTo(202);

        // the event stream with a viewer token
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .header("Authorization", "Bearer " + viewer).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        stream.body().close();

        // paths the rules and the router could read differently
        assertThat(call("GET", "/actuator/health;x=1/../../api/v1/clusters", null, null).statusCode()).isEqualTo(400);
    }

    @Test
    void oidcAccessTokensCarryTheirRoleFromTheGroupsClaim() throws Exception {
        String adminJwt = jwts.rs256(Jwts.claims("alice", List.of("staff", "pgpilot-admins")).build());
        String viewerJwt = jwts.es256(Jwts.claims("bob", List.of("staff")).build());
        String noRoleJwt = jwts.rs256(Jwts.claims("carol", List.of("accounting")).build());
        assertThat(call("GET", "/api/v1/clusters", viewerJwt, null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/clusters", viewerJwt, manifest("oidc")).statusCode()).isEqualTo(403);
        var noRole = call("GET", "/api/v1/clusters", noRoleJwt, null);
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.body()).contains("jwt:carol has no pgpilot role");
        assertThat(call("POST", "/api/v1/clusters", adminJwt, manifest("oidc")).statusCode()).isEqualTo(201);
        assertThat(call("DELETE", "/api/v1/clusters/oidc", adminJwt, null).statusCode()).isEqualTo(202);
    }

    @Test
    void everyMutatingCallIsAuditedWithoutSecrets(CapturedOutput output) throws Exception {
        GatewayClient admin = GatewayClient.admin(base, home);
        assertThat(admin.send("POST", "/api/v1/clusters", manifest("audited")).statusCode()).isEqualTo(201);
        assertThat(call("DELETE", "/api/v1/clusters/audited", token(Role.VIEWER), null).statusCode()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/clusters/audited", null, null).statusCode()).isEqualTo(401);
        String jwt = jwts.rs256(Jwts.claims("dave", List.of("pgpilot-admins")).build());
        assertThat(call("DELETE", "/api/v1/clusters/audited", jwt, null).statusCode()).isEqualTo(202);
        assertThat(admin.send("GET", "/api/v1/clusters", null).statusCode()).isEqualTo(200);

        List<String> expected = List.of(
                "\"actor\":\"token:admin\",\"role\":\"admin\",\"method\":\"POST\",\"route\":\"/api/v1/clusters\",\"path\":\"/api/v1/clusters\",\"status\":201,\"outcome\":\"allowed\"",
                "\"actor\":\"token:viewer\",\"role\":\"viewer\",\"method\":\"DELETE\",\"route\":\"/api/v1/clusters/audited\",\"path\":\"/api/v1/clusters/audited\",\"status\":403,\"outcome\":\"forbidden\"",
                "\"actor\":\"anonymous\",\"method\":\"DELETE\",\"route\":\"/api/v1/clusters/audited\",\"path\":\"/api/v1/clusters/audited\",\"status\":401,\"outcome\":\"unauthenticated\"",
                "\"actor\":\"jwt:dave\",\"role\":\"admin\",\"method\":\"DELETE\",\"route\":\"/api/v1/clusters/{name}\",\"path\":\"/api/v1/clusters/audited\",\"status\":202,\"outcome\":\"allowed\"");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> audits = new ArrayList<>(events.stream().filter(e -> e.contains("\"type\":\"io.pgpilot.audit.request\""))
                    .filter(e -> e.contains("\"subject\":\"audited\"")).toList());
            for (String part : expected) {
                assertThat(audits).as(part).anySatisfy(e -> assertThat(e).contains(part));
            }
            // reads are not audited
            assertThat(audits).noneSatisfy(e -> assertThat(e).contains("\"method\":\"GET\""));
        });
        assertThat(output.getAll()).contains("api-token-{admin,operator,viewer}");
        List<String> secrets = new ArrayList<>();
        for (Role role : Role.values()) {
            secrets.add(token(role));
        }
        secrets.add(jwt);
        secrets.add(jwt.substring(jwt.lastIndexOf('.') + 1));
        for (String secret : secrets) {
            assertThat(events).noneSatisfy(e -> assertThat(e).contains(secret));
            assertThat(output.getAll()).doesNotContain(secret);
        }
    }
}
