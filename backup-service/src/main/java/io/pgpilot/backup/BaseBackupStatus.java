package io.pgpilot.backup;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * What {@code GET /backups/{cluster}[/{id}]} shows of a base backup: running ones with their
 * progress, finished ones from the bucket (backup.info), written by pgpilot or by barman-cloud.
 *
 * @param status        running, completed or failed
 * @param phase         while running: streaming, waiting-for-wal, finishing
 * @param bytes         tar bytes read from pg_basebackup (the database size, uncompressed)
 * @param storedBytes   bytes in the bucket (compressed, encrypted)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BaseBackupStatus(String cluster, String backupId, String status, String phase, String source, String sourceRole,
                               Instant startedAt, Instant completedAt, long bytes, long storedBytes, Long estimatedBytes,
                               String beginLsn, String endLsn, String beginWal, String endWal, Integer timeline,
                               String compression, Boolean encrypted, String key, String error, Double mbPerSecond,
                               String writtenBy) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
}
