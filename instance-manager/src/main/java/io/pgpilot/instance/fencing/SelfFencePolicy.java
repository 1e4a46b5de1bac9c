package io.pgpilot.instance.fencing;

import io.pgpilot.events.Heartbeat;

import java.time.Duration;
import java.time.Instant;

/**
 * Safety rule 2 for one primary, pure: it must stop accepting writes when it has neither had a
 * heartbeat accepted by Kafka nor seen a majority of its cluster (itself plus streaming standbys)
 * within the self-fence timeout. A primary that lost only Kafka but still sees its replicas keeps
 * serving. The failover service's lease is longer than this timeout, so the fence always comes first.
 */
public final class SelfFencePolicy {

    /**
     * @param lastAcceptedUp when a heartbeat showing this instance up as primary was last accepted by Kafka
     * @param lastProbe      the latest probe result of the instance (may be unreachable)
     * @param lastQuorumAt   when the instance was last seen as primary with a majority of the cluster streaming
     */
    public record PrimaryLease(Instant lastAcceptedUp, Heartbeat lastProbe, Instant lastQuorumAt) {
    }

    private SelfFencePolicy() {
    }

    public static boolean hasQuorum(Heartbeat primary, int clusterSize) {
        if (primary == null || !primary.isUp() || primary.role() != Heartbeat.Role.PRIMARY) {
            return false;
        }
        long streaming = primary.standbys() == null ? 0
                : primary.standbys().stream().filter(s -> "streaming".equals(s.state())).count();
        return (streaming + 1) * 2 > clusterSize;
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
