package io.pgpilot.system;

import io.pgpilot.system.OtlpReceiver.ReceivedSpan;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seeing everything on the real platform. Traces: the services export their spans over OTLP to a
 * receiver in the test; a switchover through the gateway is one trace from the HTTP request through
 * the command on Kafka, the failover service's decision and the topology on Kafka to the
 * provisioner's convergence. Events: the gateway's SSE stream carries the creation progress and the
 * switchover as it happens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.Tag("long") // in the long tier: keeps the default suite under 45 min (README "Tests")
@SuppressWarnings("unchecked")
class TracingSystemIT {

    static final String CLUSTER = "traced";
    static OtlpReceiver otlp;
    static LocalPlatform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        otlp = new OtlpReceiver();
        Path home = Files.createTempDirectory("pgpilot-tracing");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(
                "--management.opentelemetry.tracing.export.otlp.endpoint=" + otlp.endpoint(),
                "--management.opentelemetry.tracing.export.schedule-delay=200ms"));
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/traced-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    @Order(1)
    void creationProgressIsInTheEventsAndTheStatus() {
        List<Map<String, Object>> created = SseReader.read(platform.gateway(),
                "?cluster=" + CLUSTER + "&type=instance.created&from=beginning", null, 2, Duration.ofSeconds(20)).events();
        assertThat(created).extracting(e -> e.get("subject")).containsOnly(CLUSTER);
        assertThat(created).extracting(e -> ((Map<String, Object>) e.get("data")).get("step")).containsExactly(1, 2);
        assertThat(created).extracting(e -> ((Map<String, Object>) e.get("data")).get("of")).containsOnly(2);
        assertThat(created).extracting(e -> ((Map<String, Object>) e.get("data")).get("message"))
                .containsExactly("1/2 instances ready", "2/2 instances ready");
        Map<String, Object> ready = SseReader.read(platform.gateway(), "?cluster=" + CLUSTER + "&type=cluster.ready&from=beginning",
                null, 1, Duration.ofSeconds(20)).events().getFirst();
        assertThat((Map<String, Object>) ready.get("data")).containsEntry("step", 2).containsEntry("of", 2);
        Map<String, Object> status = platform.status(CLUSTER);
        assertThat(status).doesNotContainKey("progress").containsKey("lastEvent");
    }

    @Test
    @Order(2)
    void aSwitchoverIsOneTraceFromTheGatewayThroughTheFailoverServiceToTheProvisioner() {
        String target = CLUSTER + "-2";
        SseReader live = SseReader.start(platform.gateway(), "?cluster=" + CLUSTER + "&type=switchover.*", null);
        var response = platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/instances/" + target + "/promote", null);
        assertThat(response.statusCode()).isEqualTo(202);

        // the gateway's server span of that request is the root of the trace
        ReceivedSpan request = await().atMost(Duration.ofSeconds(30)).until(() -> find(s -> s.service().equals("api-gateway")
                && s.kind().equals("SPAN_KIND_SERVER") && s.name().contains("promote")), Optional::isPresent).orElseThrow();
        assertThat(request.isRoot()).isTrue();
        String trace = request.traceId();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<ReceivedSpan> trail = otlp.spans().stream().filter(s -> s.traceId().equals(trace)).toList();
            ReceivedSpan publishCommand = one(trail, "api-gateway", "publish pgpilot.cluster.commands");
            ReceivedSpan processCommand = one(trail, "failover-service", "process pgpilot.cluster.commands");
            ReceivedSpan decide = one(trail, "failover-service", "decide switchover");
            ReceivedSpan publishTopology = one(trail, "failover-service", "publish pgpilot.cluster.topology");
            List<ReceivedSpan> converges = trail.stream().filter(s -> s.service().equals("provisioner")
                    && s.name().startsWith("converge topology epoch")).toList();
            assertThat(converges).as("the provisioner's convergence in " + trail).hasSize(1);
            ReceivedSpan converge = converges.getFirst();
            // the provisioner follows the topology twice (convergence, and the managed roles/databases
            // reconciler): the record's consumer span that the convergence hangs off
            List<ReceivedSpan> provisionerTopologies = trail.stream().filter(s -> s.service().equals("provisioner")
                    && s.name().equals("process pgpilot.cluster.topology")).toList();
            assertThat(provisionerTopologies).as("provisioner topology consumers in " + trail).isNotEmpty()
                    .allMatch(s -> s.parentSpanId().equals(publishTopology.spanId()));
            ReceivedSpan provisionerTopology = provisionerTopologies.stream().filter(s -> s.spanId().equals(converge.parentSpanId()))
                    .findFirst().orElseThrow(() -> new AssertionError("no provisioner topology span is the convergence's parent: " + trail));
            ReceivedSpan monitorTopology = one(trail, "health-monitor", "process pgpilot.cluster.topology");

            assertThat(publishCommand.kind()).isEqualTo("SPAN_KIND_PRODUCER");
            assertThat(publishCommand.parentSpanId()).isEqualTo(request.spanId());
            assertThat(processCommand.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            assertThat(processCommand.parentSpanId()).isEqualTo(publishCommand.spanId());
            assertThat(decide.parentSpanId()).isEqualTo(processCommand.spanId());
            assertThat(publishTopology.parentSpanId()).isEqualTo(decide.spanId());
            assertThat(provisionerTopology.parentSpanId()).isEqualTo(publishTopology.spanId());
            assertThat(converge.parentSpanId()).isEqualTo(provisionerTopology.spanId());
            assertThat(monitorTopology.parentSpanId()).isEqualTo(publishTopology.spanId());
            // what the provisioner did while converging (events, inventory) continues the same trace
            assertThat(trail).anyMatch(s -> s.service().equals("provisioner") && s.name().equals("publish pgpilot.cluster.events")
                    && s.parentSpanId().equals(converge.spanId()));
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> target.equals(platform.status(CLUSTER).get("currentPrimary")));
        // the same switchover, live on the event stream
        await().atMost(Duration.ofSeconds(30)).until(() -> live.events().size() >= 2);
        live.close();
        assertThat(live.events()).extracting(e -> e.get("type"))
                .containsExactly("io.pgpilot.switchover.started", "io.pgpilot.switchover.completed");
        System.out.printf("switchover trace %s: %d spans from %s%n", trace,
                otlp.spans().stream().filter(s -> s.traceId().equals(trace)).count(),
                otlp.spans().stream().filter(s -> s.traceId().equals(trace)).map(ReceivedSpan::service).distinct().sorted().toList());
    }

    @Test
    @Order(3)
    void heartbeatsAndPeriodicWorkDoNotFloodTheTraceStore() {
        // heartbeats flow every 500 ms per instance: none of them may start a trace of its own
        assertThat(otlp.spans()).noneMatch(s -> s.name().contains("pgpilot.instance.heartbeats"));
        // nor do health polls (LocalPlatform polls /actuator/health of every service at start)
        assertThat(otlp.spans()).noneMatch(s -> s.name().contains("actuator"));
    }

    private static Optional<ReceivedSpan> find(Predicate<ReceivedSpan> filter) {
        return otlp.spans().stream().filter(filter).findFirst();
    }

    private static ReceivedSpan one(List<ReceivedSpan> trail, String service, String name) {
        List<ReceivedSpan> matching = trail.stream().filter(s -> s.service().equals(service) && s.name().equals(name)).toList();
        assertThat(matching).as(service + " span '" + name + "' in " + trail).hasSize(1);
        return matching.getFirst();
    }
}
