package io.pgpilot.backup;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Which instance a base backup is taken from (as CloudNativePG's {@code backup.target}):
 * {@code prefer-standby} takes the healthy replica with the least lag and falls back to the
 * primary; {@code primary} always takes the primary. Healthy: in the topology and not fenced,
 * RUNNING in the inventory with a port, and a recent heartbeat that says UP in that role (a
 * replica also streaming). Pure.
 */
public final class BackupSource {

    /** A heartbeat older than this does not count as healthy. */
    public static final Duration FRESH = Duration.ofSeconds(15);

    public sealed interface Choice permits Chosen, NoSource {
    }

    /** @param primaryPort the primary's port (WAL switch at the end), the same as {@code port} when taken from it */
    public record Chosen(String instance, int port, boolean replica, int primaryPort, String reason) implements Choice {
    }

    public record NoSource(String reason) implements Choice {
    }

    private BackupSource() {
    }

    public static Choice choose(String target, Topology topology, Map<String, InstanceRecord> instances,
                                Map<String, Heartbeat> heartbeats, Instant now) {
        if (topology == null || topology.primary() == null) {
            return new NoSource("the cluster has no primary yet");
        }
        InstanceRecord primary = instances.get(topology.primary());
        if (primary == null || primary.phase() != InstanceRecord.Phase.RUNNING || primary.port() <= 0) {
            return new NoSource("primary " + topology.primary() + " is not running");
        }
        if (!"primary".equals(target)) {
            Optional<Heartbeat> best = topology.replicas().stream()
                    .filter(r -> topology.fenced() == null || !topology.fenced().contains(r))
                    .filter(r -> instances.containsKey(r) && instances.get(r).phase() == InstanceRecord.Phase.RUNNING
                            && instances.get(r).port() > 0)
                    .map(heartbeats::get)
                    .filter(h -> h != null && healthy(h, Heartbeat.Role.REPLICA, now) && "streaming".equals(h.walReceiverStatus()))
                    .min(Comparator.comparingLong(Heartbeat::lagBytes).thenComparing(Heartbeat::instance));
            if (best.isPresent()) {
                Heartbeat h = best.get();
                return new Chosen(h.instance(), instances.get(h.instance()).port(), true, primary.port(),
                        "healthy replica with the least lag (" + h.lagBytes() + " bytes)");
            }
        }
        Heartbeat ph = heartbeats.get(topology.primary());
        if (ph != null && !healthy(ph, Heartbeat.Role.PRIMARY, now)) {
            return new NoSource("primary " + topology.primary() + " is not healthy (" + ph.state() + ")");
        }
        return new Chosen(topology.primary(), primary.port(), false, primary.port(),
                "primary".equals(target) ? "backup.target is primary" : "no healthy replica");
    }

    static boolean healthy(Heartbeat h, Heartbeat.Role role, Instant now) {
        return h.isUp() && h.role() == role && h.observedAt() != null && h.observedAt().isAfter(now.minus(FRESH));
    }
}
