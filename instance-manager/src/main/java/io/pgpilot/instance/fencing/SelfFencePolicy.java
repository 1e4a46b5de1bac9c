package io.pgpilot.instance.fencing;

import io.pgpilot.events.Heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Safety rule 2 for one primary, pure: it must stop accepting writes when it has neither had a
 * heartbeat accepted by Kafka nor heard from a majority of its cluster (itself plus standbys whose
 * replies still arrive) within the self-fence timeout. A primary that lost only Kafka but still
 * hears from its replicas keeps serving. The failover service's lease is longer than this timeout, so the fence always comes first.
 */
public final class SelfFencePolicy {

    /**
     * @param lastAcceptedUp when a heartbeat showing this instance up as primary was last accepted by Kafka
     * @param lastProbe      the latest probe result of the instance (may be unreachable)
     * @param lastQuorumAt   when a majority of the cluster last answered this instance as primary ({@link #quorumSeenAt})
     */
    public record PrimaryLease(Instant lastAcceptedUp, Heartbeat lastProbe, Instant lastQuorumAt) {
    }

    private SelfFencePolicy() {
    }

    /**
     * When a majority of the cluster (the primary itself plus standbys) was last evidenced: the moment
     * the k-th most recently answering streaming standby was last seen to answer, k being how many
     * standbys a majority needs. {@code answeredAt}: for each streaming standby, when its reply was
     * last seen to advance (a standby behind a cut keeps its walsender "streaming" until
     * wal_sender_timeout, but its replies stop). A single instance is its own majority ({@code now});
     * null when too few standbys ever answered.
     */
    public static Instant quorumSeenAt(List<Instant> answeredAt, int clusterSize, Instant now) {
        int needed = clusterSize / 2;
        if (needed == 0) {
            return now;
        }
        List<Instant> latestFirst = answeredAt.stream().sorted(Comparator.reverseOrder()).toList();
        return latestFirst.size() < needed ? null : latestFirst.get(needed - 1);
    }

    public static boolean mustFence(PrimaryLease lease, Instant now, Duration timeout) {
        if (lease == null || lease.lastAcceptedUp() == null) {
            return false; // never confirmed as a serving primary: nothing to fence
        }
        boolean kafkaRecently = !lease.lastAcceptedUp().plus(timeout).isBefore(now);
        boolean quorumRecently = lease.lastQuorumAt() != null && !lease.lastQuorumAt().plus(timeout).isBefore(now);
        return !kafkaRecently && !quorumRecently;
    }
}
