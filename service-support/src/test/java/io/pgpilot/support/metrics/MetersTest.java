package io.pgpilot.support.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real Prometheus registry renders every control-plane family under exactly the catalog's name. */
class MetersTest {

    static Set<String> seriesNames(String scrape) {
        Set<String> names = new TreeSet<>();
        var m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(scrape);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyControlPlaneFamilyIsExportedUnderItsCatalogName() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Meters.counter(registry, MetricCatalog.FAILOVERS_TOTAL, "pc").increment();
        Meters.counter(registry, MetricCatalog.SWITCHOVERS_TOTAL, "pc");
        Meters.timer(registry, MetricCatalog.FAILOVER_DURATION, "pc", "failover").record(Duration.ofMillis(1000));
        Meters.set(registry, MetricCatalog.TOPOLOGY_EPOCH, 3, "pc");
        Meters.gauge(registry, MetricCatalog.HEARTBEAT_AGE, Instant.now(), t -> 0.5, "pc", "pc-1");
        Meters.eventApplied(registry, "pgpilot.instance.heartbeats", "failover-service", Instant.now().minusMillis(20));
        Meters.set(registry, MetricCatalog.BACKUP_LAST_SUCCESS, 1.7e9, "pc");

        Set<String> exported = seriesNames(registry.scrape());
        Set<String> families = new TreeSet<>();
        for (String series : exported) {
            if (series.startsWith("pgpilot_")) {
                assertThat(MetricCatalog.familyOfSeries(series)).as("catalog family of " + series).isPresent();
                families.add(MetricCatalog.familyOfSeries(series).orElseThrow().name());
            }
        }
        assertThat(families).containsExactlyInAnyOrderElementsOf(
                MetricCatalog.bySource(MetricCatalog.Source.CONTROL_PLANE).stream().map(MetricCatalog.Family::name).toList());
        String scrape = registry.scrape();
        assertThat(scrape).contains("pgpilot_failovers_total{cluster=\"pc\"} 1.0")
                .contains("pgpilot_failover_duration_seconds_sum{cluster=\"pc\",kind=\"failover\"} 1.0")
                .contains("pgpilot_topology_epoch{cluster=\"pc\"} 3.0");
    }

    @Test
    void setUpdatesAndRemoveDropsTheSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Meters.set(registry, MetricCatalog.TOPOLOGY_EPOCH, 1, "pc");
        Meters.set(registry, MetricCatalog.TOPOLOGY_EPOCH, 2, "pc");
        assertThat(registry.scrape()).contains("pgpilot_topology_epoch{cluster=\"pc\"} 2.0");
        Meters.remove(registry, MetricCatalog.TOPOLOGY_EPOCH, "pc");
        assertThat(registry.scrape()).doesNotContain("pgpilot_topology_epoch{");
        Meters.set(registry, MetricCatalog.TOPOLOGY_EPOCH, 4, "pc");
        assertThat(registry.scrape()).contains("pgpilot_topology_epoch{cluster=\"pc\"} 4.0");
    }

    @Test
    void refusesInstanceFamiliesAndWrongLabels() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        assertThatThrownBy(() -> Meters.set(registry, MetricCatalog.COLLECTOR_UP, 1, "pc", "pc-1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Meters.counter(registry, MetricCatalog.FAILOVERS_TOTAL))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
