package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Changes of primary in progress per cluster, to report their timings once the new primary is up. */
final class Transitions {

    /** A change of primary published and not yet seen completed. */
    record Transition(Decision.Kind kind, String from, String to, int fromTimeline, Instant failedAt,
                      Instant decidedAt, long epoch) {
    }

    /** A completed change: the event type and its data. */
    record Completed(Decision.Kind kind, String type, Duration total, Map<String, Object> data) {
    }

    private final Map<String, Transition> inProgress = new ConcurrentHashMap<>();

    void started(String cluster, Transition transition) {
        inProgress.put(cluster, transition);
    }

    void forget(String cluster) {
        inProgress.remove(cluster);
    }

    /** Completed once the new primary reports itself primary on a new timeline (reported once). */
    Optional<Completed> onHeartbeat(Heartbeat heartbeat) {
        Transition t = inProgress.get(heartbeat.cluster());
        if (t == null || !heartbeat.instance().equals(t.to()) || !heartbeat.isUp()
                || heartbeat.role() != Heartbeat.Role.PRIMARY || heartbeat.timeline() <= t.fromTimeline()
                || !inProgress.remove(heartbeat.cluster(), t)) {
            return Optional.empty();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("epoch", t.epoch());
        data.put("previousPrimary", t.from());
        data.put("primary", t.to());
        data.put("timeline", heartbeat.timeline());
        data.put("failedAt", t.failedAt().toString());
        data.put("decidedAt", t.decidedAt().toString());
        data.put("promotedSeenAt", heartbeat.observedAt().toString());
        data.put("detectionMs", Duration.between(t.failedAt(), t.decidedAt()).toMillis());
        data.put("promotionMs", Duration.between(t.decidedAt(), heartbeat.observedAt()).toMillis());
        data.put("totalMs", Duration.between(t.failedAt(), heartbeat.observedAt()).toMillis());
        String type = t.kind() == Decision.Kind.FAILOVER ? "failover.completed" : "switchover.completed";
        return Optional.of(new Completed(t.kind(), type, Duration.between(t.failedAt(), heartbeat.observedAt()), data));
    }
}
