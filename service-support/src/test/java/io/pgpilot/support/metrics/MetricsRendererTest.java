package io.pgpilot.support.metrics;

import io.pgpilot.support.metrics.MetricsRenderer.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsRendererTest {

    @Test
    void rendersHelpTypeAndSamplesPerFamilyInCatalogOrder() {
        String text = MetricsRenderer.render(List.of(
                Sample.of(MetricCatalog.PG_STAT_DATABASE_XACT_COMMIT, 1234, "pc", "pc-1", "app"),
                Sample.of(MetricCatalog.COLLECTOR_UP, 1, "pc", "pc-1"),
                Sample.of(MetricCatalog.COLLECTOR_UP, 0, "pc", "pc-2"),
                Sample.of(MetricCatalog.PG_REPLICATION_LAG_SECONDS, 0.25, "pc", "pc-2")));
        assertThat(text).isEqualTo("""
                # HELP cnpg_collector_up 1 if PostgreSQL answered the metrics collection, 0 otherwise
                # TYPE cnpg_collector_up gauge
                cnpg_collector_up{cluster="pc",pod="pc-1"} 1
                cnpg_collector_up{cluster="pc",pod="pc-2"} 0
                # HELP cnpg_pg_replication_lag_seconds Replication lag behind the primary in seconds, replicas only
                # TYPE cnpg_pg_replication_lag_seconds gauge
                cnpg_pg_replication_lag_seconds{cluster="pc",pod="pc-2"} 0.25
                # HELP cnpg_pg_stat_database_xact_commit Number of transactions committed in this database
                # TYPE cnpg_pg_stat_database_xact_commit counter
                cnpg_pg_stat_database_xact_commit{cluster="pc",pod="pc-1",datname="app"} 1234
                """);
    }

    @Test
    void escapesLabelValuesAndFormatsSpecialValues() {
        String text = MetricsRenderer.render(List.of(Sample.of(MetricCatalog.PG_STAT_ACTIVITY_COUNT, Double.NaN,
                "pc", "pc-1", "app", "a\"b", "x\\y\nz", "active")));
        assertThat(text).contains("application_name=\"x\\\\y\\nz\"").contains("usename=\"a\\\"b\"").endsWith(" NaN\n");
        assertThat(MetricsRenderer.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(MetricsRenderer.value(3e20)).isEqualTo("3.0E20");
    }

    @Test
    void refusesWrongLabelsAndEmptyInputRendersNothing() {
        assertThatThrownBy(() -> Sample.of(MetricCatalog.COLLECTOR_UP, 1, "only-cluster"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MetricsRenderer.render(List.of())).isEmpty();
    }
}
