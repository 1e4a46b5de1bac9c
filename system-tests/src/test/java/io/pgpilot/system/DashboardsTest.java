package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.support.metrics.MetricCatalog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every expression of every panel (rows included) and every template query of the Grafana
 * dashboards in deploy/grafana/dashboards uses only metrics the platform exports (MetricCatalog,
 * which the renderer and the Micrometer registrations use, and which MetricsSystemIT compares
 * with a real scrape).
 */
class DashboardsTest {

    static final Path DASHBOARDS = Path.of("../deploy/grafana/dashboards");

    @Test
    void everyMetricInEveryDashboardIsExported() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(DASHBOARDS)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files.stream().map(p -> p.getFileName().toString()))
                .contains("cluster-overview.json", "replication.json", "backups.json", "control-plane.json");
        int expressions = 0;
        for (Path file : files) {
            JsonNode dashboard = Json.MAPPER.readTree(Files.readString(file));
            assertThat(dashboard.path("uid").asString()).as(file + " uid").isNotBlank();
            List<JsonNode> panels = new ArrayList<>();
            collectPanels(dashboard.path("panels"), panels);
            assertThat(panels).as(file + " panels").isNotEmpty();
            for (JsonNode panel : panels) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asString();
                    assertThat(expr).as(file + " panel '" + panel.path("title").asString() + "' has an expr").isNotBlank();
                    assertExported(file + " panel '" + panel.path("title").asString() + "'", PromQlNames.of(expr), expr);
                    expressions++;
                }
            }
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asString() : query.asString();
                if ("query".equals(variable.path("type").asString())) {
                    assertExported(file + " variable " + variable.path("name").asString(), PromQlNames.ofTemplateQuery(text), text);
                }
            }
        }
        assertThat(expressions).isGreaterThan(30);
    }

    static void collectPanels(JsonNode panels, List<JsonNode> into) {
        for (JsonNode panel : panels) {
            into.add(panel);
            collectPanels(panel.path("panels"), into);
        }
    }

    static void assertExported(String where, java.util.Set<String> names, String expr) {
        assertThat(names).as(where + " names a metric: " + expr).isNotEmpty();
        for (String name : names) {
            assertThat(MetricCatalog.familyOfSeries(name)).as(where + " uses " + name + ", not exported (" + expr + ")").isPresent();
        }
    }
}
