package io.pgpilot.health;

import io.pgpilot.events.Heartbeat.StandbyStatus;

import java.util.List;

/** What one probe of one instance returned. */
public sealed interface ProbeResult {

    record Reachable(boolean inRecovery, int timeline, long currentLsn, long receiveLsn, long replayLsn,
                     double replayAgeSeconds, String walReceiverStatus, String upstream, int connections,
                     long xactCommit, List<StandbyStatus> standbys) implements ProbeResult {
    }

    /** The server did not answer; {@code reason} is safe to publish (no secrets). */
    record Unreachable(String reason) implements ProbeResult {
    }
}
