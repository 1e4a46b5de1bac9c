package io.pgpilot.instance.fencing;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The self-fence leases of the primaries one process watches, keyed by instance key: renewed by a
 * heartbeat Kafka accepted and by a majority of the cluster still answering the primary, dropped when
 * the instance is a replica or down. Shared by the health monitor (every instance of the host) and
 * the instance manager (its own instance); {@link SelfFencePolicy} decides, this keeps the state.
 */
public final class PrimaryLeases {

    /** A fence already signalled is not signalled again for this long. */
    private static final Duration RESIGNAL_AFTER = Duration.ofSeconds(5);

    private final Map<String, SelfFencePolicy.PrimaryLease> leases = new ConcurrentHashMap<>();
    private final Map<String, Instant> fenceSignalledAt = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Reply>> replies = new ConcurrentHashMap<>();

    /**
     * A probe's heartbeat: a primary heard from by a majority of its cluster renews its lease on its
     * own, as of the moment that majority last answered (a standby counts while its replies advance).
     */
    public void observed(Heartbeat heartbeat, int clusterSize) {
        String key = key(heartbeat);
        if (heartbeat.isUp() && heartbeat.role() == Heartbeat.Role.REPLICA
                || heartbeat.state() == Heartbeat.State.DOWN) {
            leases.remove(key); // not a primary (any more), or nothing left running to fence
            fenceSignalledAt.remove(key);
            replies.remove(key);
            return;
        }
        Instant quorumSeenAt = heartbeat.isUp() && heartbeat.role() == Heartbeat.Role.PRIMARY
                ? SelfFencePolicy.quorumSeenAt(answeredAt(key, heartbeat), clusterSize, heartbeat.observedAt()) : null;
        leases.computeIfPresent(key, (k, lease) -> new SelfFencePolicy.PrimaryLease(lease.lastAcceptedUp(), heartbeat,
                latest(lease.lastQuorumAt(), quorumSeenAt)));
    }

    /**
     * For each streaming standby of this probe, when its reply was last seen to advance (a reply time
     * never seen before counts as answering now); forgets standbys no longer listed.
     */
    private List<Instant> answeredAt(String key, Heartbeat heartbeat) {
        Map<String, Reply> known = replies.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        List<Heartbeat.StandbyStatus> standbys = heartbeat.standbys() == null ? List.of() : heartbeat.standbys();
        known.keySet().retainAll(standbys.stream().map(Heartbeat.StandbyStatus::applicationName).toList());
        List<Instant> answered = new ArrayList<>();
        for (Heartbeat.StandbyStatus standby : standbys) {
            if (standby.replyTime() == null) {
                continue;
            }
            Reply reply = known.merge(standby.applicationName(), new Reply(standby.replyTime(), heartbeat.observedAt()),
                    (old, fresh) -> old.replyTime().equals(fresh.replyTime()) ? old : fresh);
            if ("streaming".equals(standby.state())) {
                answered.add(reply.seenAdvancingAt());
            }
        }
        return answered;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    /** A standby's last reply time as reported, and when this process first saw it. */
    private record Reply(String replyTime, Instant seenAdvancingAt) {
    }

    /** Kafka accepted this heartbeat: a primary that is up renews its lease (and starts one). */
    public void accepted(Heartbeat heartbeat) {
        if (heartbeat.isUp() && heartbeat.role() == Heartbeat.Role.PRIMARY) {
            leases.merge(key(heartbeat), new SelfFencePolicy.PrimaryLease(heartbeat.observedAt(), heartbeat, null),
                    (old, fresh) -> new SelfFencePolicy.PrimaryLease(fresh.lastAcceptedUp(), old.lastProbe(), old.lastQuorumAt()));
        }
    }

    /**
     * A lease belongs to one incarnation of its instance: leases of instances not listed with the
     * same {@code uid} in {@code uidByKey} are dropped, so that a re-created instance of the same name
     * is never fenced on its predecessor's account.
     */
    public void retainIncarnations(Map<String, String> uidByKey) {
        leases.entrySet().removeIf(e -> !String.valueOf(e.getValue().lastProbe().uid()).equals(uidByKey.get(e.getKey())));
        fenceSignalledAt.keySet().removeIf(key -> !uidByKey.containsKey(key));
        replies.keySet().removeIf(key -> !uidByKey.containsKey(key));
    }

    /** The instance keys whose primary must be stopped now and was not signalled in the last few seconds. */
    public List<String> due(Instant now, Duration timeout) {
        return leases.entrySet().stream()
                .filter(e -> SelfFencePolicy.mustFence(e.getValue(), now, timeout))
                .map(Map.Entry::getKey)
                .filter(key -> {
                    Instant signalled = fenceSignalledAt.get(key);
                    return signalled == null || !signalled.plus(RESIGNAL_AFTER).isAfter(now);
                }).toList();
    }

    public void signalled(String key, Instant now) {
        fenceSignalledAt.put(key, now);
    }

    private static String key(Heartbeat heartbeat) {
        return Topics.instanceKey(heartbeat.cluster(), heartbeat.instance());
    }
}
