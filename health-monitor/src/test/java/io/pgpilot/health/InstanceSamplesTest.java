package io.pgpilot.health;

import io.pgpilot.support.metrics.MetricsRenderer.Sample;
import io.pgpilot.support.metrics.MetricCatalog;
import io.pgpilot.support.metrics.MetricCatalog.Family;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InstanceSamplesTest {

    static InstanceStats stats(boolean inRecovery) {
        return new InstanceStats(inRecovery, "15.14 (Debian 15.14-0+deb12u1)", 150014, 1.7e9, inRecovery ? 0.4 : 0,
                inRecovery, inRecovery ? 0 : 2, inRecovery ? 0 : 1, inRecovery ? 0 : 1, 0,
                List.of(new InstanceStats.Backends("app", "app", "", "active", 4, 0.01)),
                List.of(new InstanceStats.Database("app", 8_000_000, 700, 5000, 3, 10, 900, 1, 1, 4000, 0, 0, 0, 0, 0, 0)),
                new InstanceStats.Archiver(0, 0, -1, -1, -1, -1, 0, 0, 0),
                inRecovery ? List.of() : List.of(new InstanceStats.Standby("streaming_replica", "pc-2", "127.0.0.1", "40000",
                        0, 0, 0, 128, 0.001, 0.002, 0.003)));
    }

    static List<Family> families(List<Sample> samples) {
        return samples.stream().map(Sample::family).distinct().toList();
    }

    @Test
    void aReplicaReportsLagButNoArchiverOrStandbyStatistics() {
        List<Sample> samples = InstanceSamples.of("pc", "pc-2", false, stats(true));
        assertThat(families(samples)).contains(MetricCatalog.PG_REPLICATION_LAG_SECONDS, MetricCatalog.PG_REPLICATION_LAG,
                        MetricCatalog.PG_STAT_ACTIVITY_COUNT, MetricCatalog.PG_STAT_DATABASE_XACT_COMMIT)
                .doesNotContain(MetricCatalog.PG_STAT_ARCHIVER_ARCHIVED_COUNT, MetricCatalog.PG_STAT_REPLICATION_REPLAY_DIFF_BYTES,
                        MetricCatalog.SYNC_STANDBYS);
        assertThat(samples).contains(Sample.of(MetricCatalog.PG_REPLICATION_LAG_SECONDS, 0.4, "pc", "pc-2"),
                Sample.of(MetricCatalog.PG_REPLICATION_IN_RECOVERY, 1, "pc", "pc-2"),
                Sample.of(MetricCatalog.COLLECTOR_POSTGRES_VERSION, 15.14, "pc", "pc-2", "15.14 (Debian 15.14-0+deb12u1)"));
    }

    @Test
    void aPrimaryReportsArchiverStandbysAndZeroLagButNoLagSecondsSeries() {
        List<Sample> samples = InstanceSamples.of("pc", "pc-1", false, stats(false));
        assertThat(families(samples)).contains(MetricCatalog.PG_STAT_ARCHIVER_ARCHIVED_COUNT,
                MetricCatalog.PG_STAT_ARCHIVER_SECONDS_SINCE_LAST_ARCHIVAL, MetricCatalog.PG_STAT_REPLICATION_REPLAY_DIFF_BYTES)
                .doesNotContain(MetricCatalog.PG_REPLICATION_LAG_SECONDS);
        assertThat(samples).contains(Sample.of(MetricCatalog.PG_REPLICATION_LAG, 0, "pc", "pc-1"),
                Sample.of(MetricCatalog.SYNC_STANDBYS, 1, "pc", "pc-1"),
                Sample.of(MetricCatalog.COLLECTOR_SYNC_REPLICAS, 1, "pc", "pc-1", "expected"),
                Sample.of(MetricCatalog.PG_STAT_REPLICATION_REPLAY_DIFF_BYTES, 128, "pc", "pc-1", "streaming_replica", "pc-2",
                        "127.0.0.1", "40000"));
    }

    @Test
    void anInstanceThatDidNotAnswerIsDownAndNothingElse() {
        assertThat(InstanceSamples.of("pc", "pc-3", true, null)).containsExactly(
                Sample.of(MetricCatalog.COLLECTOR_UP, 0, "pc", "pc-3"), Sample.of(MetricCatalog.COLLECTOR_FENCING_ON, 1, "pc", "pc-3"));
    }

    @Test
    void requestedSyncStandbysFromSynchronousStandbyNames() {
        assertThat(InstanceSamples.requestedSyncStandbys("ANY 1 (\"pc-2\",\"pc-3\")")).isEqualTo(1);
        assertThat(InstanceSamples.requestedSyncStandbys("FIRST 2 (a, b, c)")).isEqualTo(2);
        assertThat(InstanceSamples.requestedSyncStandbys("2 (a, b)")).isEqualTo(2);
        assertThat(InstanceSamples.requestedSyncStandbys("a, b")).isEqualTo(1);
        assertThat(InstanceSamples.requestedSyncStandbys("")).isZero();
        assertThat(InstanceSamples.requestedSyncStandbys(null)).isZero();
    }
}
