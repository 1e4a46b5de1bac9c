package io.pgpilot.instance.probe;

import io.pgpilot.events.Heartbeat.StandbyStatus;

import java.util.List;

/** What one probe of one instance returned. */
public sealed interface ProbeResult {

    record Reachable(boolean inRecovery, int timeline, long currentLsn, long receiveLsn, long replayLsn,
                     double replayAgeSeconds, String walReceiverStatus, String upstream, int connections,
                     long xactCommit, List<StandbyStatus> standbys, boolean pendingRestart) implements ProbeResult {

        public Reachable(boolean inRecovery, int timeline, long currentLsn, long receiveLsn, long replayLsn,
                         double replayAgeSeconds, String walReceiverStatus, String upstream, int connections,
                         long xactCommit, List<StandbyStatus> standbys) {
            this(inRecovery, timeline, currentLsn, receiveLsn, replayLsn, replayAgeSeconds, walReceiverStatus, upstream,
                    connections, xactCommit, standbys, false);
        }
    }

    /** The server did not answer; {@code reason} is safe to publish (no secrets). */
    record Unreachable(String reason) implements ProbeResult {
    }
}
