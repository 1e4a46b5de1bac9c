package io.pgpilot.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlNamesTest {

    @Test
    void findsMetricNamesOnly() {
        assertThat(PromQlNames.of("rate(cnpg_pg_stat_database_xact_commit[5m])")).containsExactly("cnpg_pg_stat_database_xact_commit");
        assertThat(PromQlNames.of("sum by (pod, state) (cnpg_pg_stat_activity_count{cluster=~\"$cluster\", state!=\"idle\"})"))
                .containsExactly("cnpg_pg_stat_activity_count");
        assertThat(PromQlNames.of("count by (cluster) (up) unless on (cluster) count by (cluster) (in_recovery == 0)"))
                .containsExactlyInAnyOrder("up", "in_recovery");
        assertThat(PromQlNames.of("time() - last_ts > 26 * 3600 and x offset 5m"))
                .containsExactlyInAnyOrder("last_ts", "x");
        assertThat(PromQlNames.of("increase(a_sum{k=\"v\"}[$__rate_interval]) / increase(a_count[1h]) * 1e3"))
                .containsExactlyInAnyOrder("a_sum", "a_count");
        assertThat(PromQlNames.of("a < on (cluster, pod) group_left b{value=\"expected\"}")).containsExactlyInAnyOrder("a", "b");
        assertThat(PromQlNames.of("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))")).containsExactly("x_bucket");
    }

    @Test
    void templateQueries() {
        assertThat(PromQlNames.ofTemplateQuery("label_values(cnpg_collector_up, cluster)")).containsExactly("cnpg_collector_up");
        assertThat(PromQlNames.ofTemplateQuery("label_values(cluster)")).isEmpty();
        assertThat(PromQlNames.ofTemplateQuery("query_result(max by (pod) (foo))")).containsExactly("foo");
    }
}
