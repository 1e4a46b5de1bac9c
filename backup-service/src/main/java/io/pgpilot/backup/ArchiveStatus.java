package io.pgpilot.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * Archiving health of one cluster: counters for the metrics and the state changes worth an event
 * ({@code archiving.failing} on the first failure after success, {@code archiving.recovered} on the
 * first success after failures). Per-segment successes are not events: too chatty for Kafka.
 * Thread-safe.
 */
public final class ArchiveStatus {

    public enum Transition { FAILING, RECOVERED }

    /** What the metrics helper and {@code GET /archiving} show. */
    public record Snapshot(String cluster, long archived, long alreadyArchived, long failed, long conflicts, Instant lastArchivedAt,
                           String lastArchivedWal, Instant lastFailedAt, String lastFailure, boolean failing) {
    }

    private final String cluster;
    private long archived;
    private long alreadyArchived;
    private long failed;
    private long conflicts;
    private Instant lastArchivedAt;
    private String lastArchivedWal;
    private Instant lastFailedAt;
    private String lastFailure;
    private boolean failing;

    public ArchiveStatus(String cluster) {
        this.cluster = cluster;
    }

    public synchronized Optional<Transition> success(Instant now, String wal, boolean alreadyThere) {
        if (alreadyThere) {
            alreadyArchived++;
        } else {
            archived++;
        }
        lastArchivedAt = now;
        lastArchivedWal = wal;
        if (failing) {
            failing = false;
            return Optional.of(Transition.RECOVERED);
        }
        return Optional.empty();
    }

    public synchronized Optional<Transition> failure(Instant now, String reason, boolean conflict) {
        failed++;
        if (conflict) {
            conflicts++;
        }
        lastFailedAt = now;
        lastFailure = reason;
        if (!failing) {
            failing = true;
            return Optional.of(Transition.FAILING);
        }
        return Optional.empty();
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(cluster, archived, alreadyArchived, failed, conflicts, lastArchivedAt, lastArchivedWal, lastFailedAt,
                lastFailure, failing);
    }
}
