package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pure: whether the failover service may decide for a cluster with respect to hibernation. A
 * hibernated cluster's instances are stopped on purpose: no failover, no switchover. Waking up, the
 * provisioner starts the primary first; until the topology primary reports itself up as primary
 * (or {@code grace} passed without it), its earlier "down" heartbeats must not trigger a failover.
 */
final class HibernationGate {

    private final Duration grace;
    private final Map<String, Instant> hibernated = new ConcurrentHashMap<>();
    private final Map<String, Instant> waking = new ConcurrentHashMap<>();

    HibernationGate(Duration grace) {
        this.grace = grace;
    }

    /** A spec of the cluster: hibernated or not. */
    void spec(String cluster, boolean hibernate, Instant now) {
        if (hibernate) {
            hibernated.putIfAbsent(cluster, now);
            waking.remove(cluster);
        } else if (hibernated.remove(cluster) != null) {
            waking.put(cluster, now);
        }
    }

    void forget(String cluster) {
        hibernated.remove(cluster);
        waking.remove(cluster);
    }

    boolean hibernated(String cluster) {
        return hibernated.containsKey(cluster);
    }

    /** May the failover service decide now? {@code primaryBeat}: the topology primary's latest heartbeat (may be null). */
    boolean decides(String cluster, Heartbeat primaryBeat, Instant now) {
        if (hibernated.containsKey(cluster)) {
            return false;
        }
        Instant woke = waking.get(cluster);
        if (woke == null) {
            return true;
        }
        boolean primaryBack = primaryBeat != null && primaryBeat.isUp() && primaryBeat.role() == Heartbeat.Role.PRIMARY
                && primaryBeat.observedAt().isAfter(woke);
        if (primaryBack || !woke.plus(grace).isAfter(now)) {
            waking.remove(cluster);
            return true;
        }
        return false;
    }
}
