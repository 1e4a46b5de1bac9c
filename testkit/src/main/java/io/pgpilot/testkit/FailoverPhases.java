package io.pgpilot.testkit;

import io.pgpilot.events.PlatformEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where the time of one failover or switchover went, in ms after the fault, from the platform's
 * events: detection (the failure the failover service saw), decision (new topology), promotion
 * (the provisioner's {@code instance.promoted}: start and end), repointing of the other replicas
 * (last {@code instance.repointed}), routing switch (the {@code endpoints.updated} event whose rw
 * names the new primary) and the first commit acknowledged after the clients' last error (with
 * synchronous replication, acknowledged by a synchronous standby). -1 = not seen. Pure.
 */
public record FailoverPhases(long detectedMs, long decidedMs, long promotionStartMs, long promotedMs, long repointedMs,
                             long routedMs, long firstAckMs) {

    public static FailoverPhases of(Instant faultAt, String newPrimary, Collection<PlatformEvent> events, long firstAckEpochMillis) {
        List<PlatformEvent> all = List.copyOf(events);
        Map<String, Object> completed = all.stream().filter(e -> e.type().endsWith("over.completed")).findFirst()
                .map(PlatformEvent::data).orElse(Map.of());
        PlatformEvent promoted = all.stream().filter(e -> e.type().endsWith("instance.promoted") && newPrimary.equals(e.instance()))
                .findFirst().orElse(null);
        long promotedMs = promoted == null ? -1 : after(faultAt, promoted.time());
        long promotionStartMs = promoted == null ? -1
                : promotedMs - ((Number) promoted.data().getOrDefault("durationMs", 0)).longValue();
        OptionalLong repointed = all.stream().filter(e -> e.type().endsWith("instance.repointed"))
                .mapToLong(e -> after(faultAt, e.time())).max();
        long routedMs = all.stream().filter(e -> e.type().endsWith("endpoints.updated")
                        && List.of(newPrimary).equals(e.data().get("rw")))
                .mapToLong(e -> after(faultAt, e.time())).min().orElse(-1);
        return new FailoverPhases(at(faultAt, completed.get("failedAt")), at(faultAt, completed.get("decidedAt")), promotionStartMs,
                promotedMs, repointed.orElse(-1), routedMs, firstAckEpochMillis - faultAt.toEpochMilli());
    }

    private static long at(Instant faultAt, Object iso) {
        return iso == null ? -1 : after(faultAt, Instant.parse(Objects.toString(iso)));
    }

    private static long after(Instant faultAt, Instant t) {
        return Duration.between(faultAt, t).toMillis();
    }

    @Override
    public String toString() {
        return "detected +" + detectedMs + ", decided +" + decidedMs + ", promotion +" + promotionStartMs + "..+" + promotedMs
                + ", replicas repointed +" + repointedMs + ", rw switched +" + routedMs + ", first ack after the last error +" + firstAckMs;
    }
}
