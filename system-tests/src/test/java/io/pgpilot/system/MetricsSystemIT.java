package io.pgpilot.system;

import io.pgpilot.support.metrics.MetricCatalog;
import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus scrapes the whole platform (the health monitor's per-instance {@code /metrics}
 * and every service's {@code /actuator/prometheus}) every second while a write load runs, and the
 * user's dashboard queries give sensible answers through its HTTP API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsSystemIT {

    static final String CLUSTER = "mx";
    static final Duration WAIT = Duration.ofSeconds(60);
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;
    static AckedWriter writer;
    static PrometheusServer prometheus;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("pgpilot-metrics");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/metrics-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
        probe.awaitHealthy(WAIT);
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), "metrics_load");
        writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), "metrics_load", 2).start();
        prometheus = PrometheusServer.start(home.resolve("prometheus"), prometheusConfig(platform.settings()));
    }

    /** What docs/observability.md tells users to configure, with a 1 s interval for the test. */
    static String prometheusConfig(LocalPlatform.Settings s) {
        StringBuilder services = new StringBuilder();
        for (int port : List.of(s.provisionerPort(), s.healthMonitorPort(), s.failoverPort(), s.backupPort(), s.servicesPort())) {
            services.append("          - 127.0.0.1:").append(port).append('\n');
        }
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: pgpilot-instances
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                  - job_name: pgpilot-control-plane
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets:
                %s
                  - job_name: pgpilot-gateway
                    metrics_path: /actuator/prometheus
                    authorization:
                      credentials_file: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(s.healthMonitorPort(), services.toString().stripTrailing(),
                s.home().resolve("secrets").resolve("api-token-viewer"), s.gatewayPort());
    }

    @AfterAll
    static void stop() {
        if (writer != null) {
            writer.stop();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void theUsersQueriesGiveSensibleValuesUnderLoad() {
        String primary = probe.currentPrimary();
        AtomicReference<List<PrometheusServer.Series>> lag = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            lag.set(prometheus.query("cnpg_pg_replication_lag_seconds{cluster=\"" + CLUSTER + "\"}"));
            assertThat(lag.get()).extracting(s -> s.labels().get("pod"))
                    .containsExactlyInAnyOrderElementsOf(List.of(CLUSTER + "-1", CLUSTER + "-2", CLUSTER + "-3").stream()
                            .filter(p -> !p.equals(primary)).toList());
        });
        assertThat(lag.get()).allSatisfy(s -> assertThat(s.value()).isBetween(0.0, 5.0));

        AtomicReference<List<PrometheusServer.Series>> activity = new AtomicReference<>();
        await().atMost(WAIT).untilAsserted(() -> {
            activity.set(prometheus.query("cnpg_pg_stat_activity_count"));
            assertThat(activity.get()).anySatisfy(s -> assertThat(s.value()).isGreaterThanOrEqualTo(1));
        });
        double appConnectionsOnPrimary = activity.get().stream()
                .filter(s -> primary.equals(s.labels().get("pod")) && "app".equals(s.labels().get("usename")))
                .mapToDouble(PrometheusServer.Series::value).sum();
        assertThat(appConnectionsOnPrimary).as("the two writer connections on the primary").isGreaterThanOrEqualTo(2);

        AtomicReference<List<PrometheusServer.Series>> rate = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            rate.set(prometheus.query("rate(cnpg_pg_stat_database_xact_commit[5m])"));
            assertThat(rate.get()).anySatisfy(s -> {
                assertThat(s.labels()).containsEntry("pod", primary).containsEntry("datname", "app");
                assertThat(s.value()).isPositive();
            });
        });
        double commitRate = rate.get().stream().filter(s -> primary.equals(s.labels().get("pod")) && "app".equals(s.labels().get("datname")))
                .mapToDouble(PrometheusServer.Series::value).sum();

        System.out.printf("metrics: primary %s; cnpg_pg_replication_lag_seconds %s; cnpg_pg_stat_activity_count series %d, "
                        + "app connections on the primary %.0f; rate(cnpg_pg_stat_database_xact_commit[5m]) on app@primary %.1f/s; "
                        + "writer acks so far %d%n", primary,
                lag.get().stream().map(s -> s.labels().get("pod") + "=" + s.value()).toList(), activity.get().size(),
                appConnectionsOnPrimary, commitRate, writer.ackCount());
    }

    @Test
    @Order(2)
    void everyTargetIsUpAndEveryExportedNameIsInTheCatalog() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.targets()).hasSize(7).allSatisfy((target, health) ->
                assertThat(health).as(target).isEqualTo("up")));
        Map<String, String> scrapes = new LinkedHashMap<>();
        var s = platform.settings();
        scrapes.put("health-monitor /metrics", get(s.healthMonitorPort(), "/metrics"));
        for (var e : Map.of("provisioner", s.provisionerPort(), "health-monitor", s.healthMonitorPort(), "failover-service",
                s.failoverPort(), "backup-service", s.backupPort(), "services", s.servicesPort()).entrySet()) {
            scrapes.put(e.getKey() + " /actuator/prometheus", get(e.getValue(), "/actuator/prometheus"));
        }
        var gateway = platform.send("GET", "/actuator/prometheus", null);
        assertThat(gateway.statusCode()).as("GET gateway /actuator/prometheus with a token").isEqualTo(200);
        scrapes.put("api-gateway /actuator/prometheus", gateway.body());
        Set<String> families = new TreeSet<>();
        scrapes.forEach((where, text) -> {
            for (String series : seriesNames(text)) {
                if (series.startsWith("cnpg_") || series.startsWith("pgpilot_")) {
                    assertThat(MetricCatalog.familyOfSeries(series)).as(series + " from " + where + " is in MetricCatalog").isPresent();
                    families.add(MetricCatalog.familyOfSeries(series).orElseThrow().name());
                }
            }
        });
        // with three healthy instances under load every per-instance family is there
        assertThat(families).containsAll(MetricCatalog.bySource(MetricCatalog.Source.INSTANCE).stream().map(MetricCatalog.Family::name).toList());
        assertThat(families).contains(MetricCatalog.FAILOVERS_TOTAL.name(), MetricCatalog.SWITCHOVERS_TOTAL.name(),
                MetricCatalog.TOPOLOGY_EPOCH.name(), MetricCatalog.HEARTBEAT_AGE.name(), MetricCatalog.EVENT_LAG.name());
        var ages = prometheus.query("pgpilot_heartbeat_age_seconds{cluster=\"" + CLUSTER + "\"}");
        assertThat(ages).hasSize(3).allSatisfy(a -> assertThat(a.value()).isBetween(0.0, 3.0));
        System.out.printf("metrics: %d catalog families exported; heartbeat ages %s%n", families.size(),
                ages.stream().map(a -> a.labels().get("pod") + "=" + a.value()).toList());
    }

    @Test
    @Order(3)
    void aSwitchoverIsCountedAndTimed() {
        String old = probe.currentPrimary();
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null).statusCode()).isEqualTo(202);
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                prometheus.query("pgpilot_failover_duration_seconds_count{cluster=\"" + CLUSTER + "\",kind=\"switchover\"}"))
                .singleElement().satisfies(c -> assertThat(c.value()).isEqualTo(1)));
        assertThat(prometheus.query("pgpilot_switchovers_total{cluster=\"" + CLUSTER + "\"}")).singleElement()
                .satisfies(c -> assertThat(c.value()).isEqualTo(1));
        assertThat(prometheus.query("pgpilot_failovers_total{cluster=\"" + CLUSTER + "\"}")).singleElement()
                .satisfies(c -> assertThat(c.value()).isZero());
        double seconds = prometheus.query("pgpilot_failover_duration_seconds_sum{cluster=\"" + CLUSTER + "\",kind=\"switchover\"}")
                .getFirst().value();
        assertThat(seconds).isBetween(0.0, 30.0);
        await().atMost(WAIT).until(() -> !old.equals(probe.currentPrimary()));
        System.out.printf("metrics: switchover %s -> %s took %.2f s (pgpilot_failover_duration_seconds_sum)%n", old,
                probe.currentPrimary(), seconds);
    }

    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        var m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(exposition);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static String get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET :" + port + path).isEqualTo(200);
        return response.body();
    }
}
