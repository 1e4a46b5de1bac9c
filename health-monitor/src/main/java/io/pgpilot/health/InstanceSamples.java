package io.pgpilot.health;

import io.pgpilot.support.metrics.MetricsRenderer.Sample;

import java.util.ArrayList;
import java.util.List;

import static io.pgpilot.support.metrics.MetricCatalog.*;

/**
 * One instance's collection to samples, pure. As in CloudNativePG, archiver and replication
 * statistics come from a primary only; {@code cnpg_pg_replication_lag_seconds} only from replicas
 * (so that it lists exactly the replicas), {@code cnpg_pg_replication_lag} from every instance.
 */
public final class InstanceSamples {

    private InstanceSamples() {
    }

    /** {@code stats} null: the instance did not answer in time (only up = 0 and fencing are known). */
    public static List<Sample> of(String cluster, String pod, boolean fenced, InstanceStats stats) {
        List<Sample> out = new ArrayList<>();
        out.add(Sample.of(COLLECTOR_UP, stats == null ? 0 : 1, cluster, pod));
        out.add(Sample.of(COLLECTOR_FENCING_ON, fenced ? 1 : 0, cluster, pod));
        if (stats == null) {
            return out;
        }
        out.add(Sample.of(COLLECTOR_POSTGRES_VERSION, stats.versionNum() / 10000 + (stats.versionNum() % 10000) / 100.0,
                cluster, pod, stats.version()));
        out.add(Sample.of(PG_POSTMASTER_START_TIME, stats.postmasterStartTime(), cluster, pod));
        out.add(Sample.of(PG_REPLICATION_LAG, stats.inRecovery() ? stats.lagSeconds() : 0, cluster, pod));
        if (stats.inRecovery()) {
            out.add(Sample.of(PG_REPLICATION_LAG_SECONDS, stats.lagSeconds(), cluster, pod));
        }
        out.add(Sample.of(PG_REPLICATION_IN_RECOVERY, stats.inRecovery() ? 1 : 0, cluster, pod));
        out.add(Sample.of(PG_REPLICATION_IS_WAL_RECEIVER_UP, stats.walReceiverUp() ? 1 : 0, cluster, pod));
        out.add(Sample.of(PG_REPLICATION_STREAMING_REPLICAS, stats.streamingReplicas(), cluster, pod));
        out.add(Sample.of(BACKENDS_WAITING_TOTAL, stats.backendsWaiting(), cluster, pod));
        for (var b : stats.backends()) {
            String[] labels = {cluster, pod, b.datname(), b.usename(), b.applicationName(), b.state()};
            out.add(Sample.of(BACKENDS_TOTAL, b.total(), labels));
            out.add(Sample.of(BACKENDS_MAX_TX_DURATION, b.maxTxDurationSeconds(), labels));
            out.add(Sample.of(PG_STAT_ACTIVITY_COUNT, b.total(), labels));
        }
        for (var d : stats.databases()) {
            String[] l = {cluster, pod, d.datname()};
            out.add(Sample.of(PG_DATABASE_SIZE_BYTES, d.sizeBytes(), l));
            out.add(Sample.of(PG_DATABASE_XID_AGE, d.xidAge(), l));
            out.add(Sample.of(PG_STAT_DATABASE_XACT_COMMIT, d.xactCommit(), l));
            out.add(Sample.of(PG_STAT_DATABASE_XACT_ROLLBACK, d.xactRollback(), l));
            out.add(Sample.of(PG_STAT_DATABASE_BLKS_READ, d.blksRead(), l));
            out.add(Sample.of(PG_STAT_DATABASE_BLKS_HIT, d.blksHit(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TUP_RETURNED, d.tupReturned(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TUP_FETCHED, d.tupFetched(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TUP_INSERTED, d.tupInserted(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TUP_UPDATED, d.tupUpdated(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TUP_DELETED, d.tupDeleted(), l));
            out.add(Sample.of(PG_STAT_DATABASE_CONFLICTS, d.conflicts(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TEMP_FILES, d.tempFiles(), l));
            out.add(Sample.of(PG_STAT_DATABASE_TEMP_BYTES, d.tempBytes(), l));
            out.add(Sample.of(PG_STAT_DATABASE_DEADLOCKS, d.deadlocks(), l));
        }
        var a = stats.archiver();
        if (a != null) {
            out.add(Sample.of(COLLECTOR_PG_WAL_ARCHIVE_STATUS, a.ready(), cluster, pod, "ready"));
            out.add(Sample.of(COLLECTOR_PG_WAL_ARCHIVE_STATUS, a.done(), cluster, pod, "done"));
            out.add(Sample.of(ARCHIVE_LAG_SECONDS, a.oldestReadyAgeSeconds(), cluster, pod));
            if (!stats.inRecovery()) {
                out.add(Sample.of(PG_STAT_ARCHIVER_ARCHIVED_COUNT, a.archivedCount(), cluster, pod));
                out.add(Sample.of(PG_STAT_ARCHIVER_FAILED_COUNT, a.failedCount(), cluster, pod));
                out.add(Sample.of(PG_STAT_ARCHIVER_SECONDS_SINCE_LAST_ARCHIVAL, a.secondsSinceLastArchival(), cluster, pod));
                out.add(Sample.of(PG_STAT_ARCHIVER_SECONDS_SINCE_LAST_FAILURE, a.secondsSinceLastFailure(), cluster, pod));
                out.add(Sample.of(PG_STAT_ARCHIVER_LAST_ARCHIVED_TIME, a.lastArchivedTime(), cluster, pod));
                out.add(Sample.of(PG_STAT_ARCHIVER_LAST_FAILED_TIME, a.lastFailedTime(), cluster, pod));
            }
        }
        if (!stats.inRecovery()) {
            out.add(Sample.of(SYNC_STANDBYS, stats.syncStandbys(), cluster, pod));
            out.add(Sample.of(COLLECTOR_SYNC_REPLICAS, stats.requestedSyncStandbys(), cluster, pod, "expected"));
            for (var s : stats.standbys()) {
                String[] l = {cluster, pod, s.usename(), s.applicationName(), s.clientAddr(), s.clientPort()};
                out.add(Sample.of(PG_STAT_REPLICATION_SENT_DIFF_BYTES, s.sentDiffBytes(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_WRITE_DIFF_BYTES, s.writeDiffBytes(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_FLUSH_DIFF_BYTES, s.flushDiffBytes(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_REPLAY_DIFF_BYTES, s.replayDiffBytes(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_WRITE_LAG_SECONDS, s.writeLagSeconds(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_FLUSH_LAG_SECONDS, s.flushLagSeconds(), l));
                out.add(Sample.of(PG_STAT_REPLICATION_REPLAY_LAG_SECONDS, s.replayLagSeconds(), l));
            }
        }
        return out;
    }

    /** {@code ANY 1 (a, b)} / {@code FIRST 2 (...)} / {@code 2 (...)} / {@code a, b} → how many are requested. */
    public static int requestedSyncStandbys(String synchronousStandbyNames) {
        String s = synchronousStandbyNames == null ? "" : synchronousStandbyNames.trim();
        if (s.isEmpty()) {
            return 0;
        }
        var m = java.util.regex.Pattern.compile("^(?i:(?:ANY|FIRST)\\s+)?(\\d+)\\s*\\(").matcher(s);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }
}
