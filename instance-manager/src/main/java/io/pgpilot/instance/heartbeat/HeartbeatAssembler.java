package io.pgpilot.instance.heartbeat;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Heartbeat.Role;
import io.pgpilot.events.Heartbeat.State;
import io.pgpilot.instance.probe.ProbeResult;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Turns one round of probes of a cluster into heartbeats. Pure: replica lag in bytes is measured
 * against the primary's current LSN seen in the same round.
 */
public final class HeartbeatAssembler {

    /** One instance's probe; {@code uid}: the cluster incarnation of its inventory record, carried into the heartbeat. */
    public record Observation(String instance, boolean processAlive, ProbeResult probe, String uid) {

        public Observation(String instance, boolean processAlive, ProbeResult probe) {
            this(instance, processAlive, probe, null);
        }
    }

    private HeartbeatAssembler() {
    }

    public static List<Heartbeat> assemble(String cluster, List<Observation> observations, Instant now,
                                           Map<String, Long> sequences) {
        long primaryLsn = observations.stream()
                .map(Observation::probe)
                .filter(p -> p instanceof ProbeResult.Reachable r && !r.inRecovery())
                .mapToLong(p -> ((ProbeResult.Reachable) p).currentLsn())
                .max().orElse(-1);
        return observations.stream().map(o -> toHeartbeat(cluster, o, primaryLsn, now,
                sequences.merge(o.instance(), 1L, Long::sum))).toList();
    }

    private static Heartbeat toHeartbeat(String cluster, Observation o, long primaryLsn, Instant now, long sequence) {
        return switch (o.probe()) {
            case ProbeResult.Unreachable u -> new Heartbeat(cluster, o.instance(), now, sequence,
                    o.processAlive() ? State.UNREACHABLE : State.DOWN, o.processAlive(), Role.UNKNOWN, 0,
                    0, 0, 0, 0, 0, null, null, 0, 0, List.of(), u.reason(), o.uid(), false);
            case ProbeResult.Reachable r when !r.inRecovery() -> new Heartbeat(cluster, o.instance(), now, sequence,
                    State.UP, true, Role.PRIMARY, r.timeline(), r.currentLsn(), r.currentLsn(), r.currentLsn(),
                    0, 0, null, null, r.connections(), r.xactCommit(), r.standbys(), null, o.uid(), r.pendingRestart());
            case ProbeResult.Reachable r -> {
                long lagBytes = primaryLsn < 0 ? 0 : Math.max(0, primaryLsn - r.replayLsn());
                // CloudNativePG's definition: no lag in time while everything received is replayed
                double lagSeconds = r.receiveLsn() <= r.replayLsn() && lagBytes == 0 ? 0 : Math.max(0, r.replayAgeSeconds());
                yield new Heartbeat(cluster, o.instance(), now, sequence, State.UP, true, Role.REPLICA, r.timeline(),
                        r.replayLsn(), r.receiveLsn(), r.replayLsn(), lagBytes, lagSeconds, r.walReceiverStatus(),
                        r.upstream(), r.connections(), r.xactCommit(), List.of(), null, o.uid(), r.pendingRestart());
            }
        };
    }
}
