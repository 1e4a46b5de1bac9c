package io.pgpilot.health;

import java.util.List;

/** What one metrics collection read from one instance (the SQL behind CloudNativePG's default metrics). */
public record InstanceStats(boolean inRecovery, String version, int versionNum, double postmasterStartTime,
                            double lagSeconds, boolean walReceiverUp, int streamingReplicas, int syncStandbys,
                            int requestedSyncStandbys, int backendsWaiting, List<Backends> backends,
                            List<Database> databases, Archiver archiver, List<Standby> standbys) {

    public record Backends(String datname, String usename, String applicationName, String state, long total,
                           double maxTxDurationSeconds) {
    }

    public record Database(String datname, long sizeBytes, long xidAge, long xactCommit, long xactRollback,
                           long blksRead, long blksHit, long tupReturned, long tupFetched, long tupInserted,
                           long tupUpdated, long tupDeleted, long conflicts, long tempFiles, long tempBytes,
                           long deadlocks) {
    }

    /** pg_stat_archiver plus pg_wal/archive_status; times are -1 when they never happened. */
    public record Archiver(long archivedCount, long failedCount, double secondsSinceLastArchival,
                           double secondsSinceLastFailure, double lastArchivedTime, double lastFailedTime,
                           int ready, int done, double oldestReadyAgeSeconds) {
    }

    /** A row of pg_stat_replication on a primary. */
    public record Standby(String usename, String applicationName, String clientAddr, String clientPort,
                          double sentDiffBytes, double writeDiffBytes, double flushDiffBytes, double replayDiffBytes,
                          double writeLagSeconds, double flushLagSeconds, double replayLagSeconds) {
    }
}
