package io.pgpilot.events;

import java.time.Instant;
import java.util.List;

/**
 * What the health monitor saw of one instance at one moment. LSNs are numeric (bytes since 0/0)
 * so that consumers can compare them without parsing. {@code uid}: the cluster incarnation of the
 * probed instance's inventory record ({@link Incarnation}). {@code pendingRestart}: a changed
 * parameter waits for a restart of the instance (pg_settings.pending_restart).
 */
public record Heartbeat(String cluster, String instance, Instant observedAt, long sequence,
                        State state, boolean processAlive, Role role, int timeline,
                        long currentLsn, long receiveLsn, long replayLsn,
                        long lagBytes, double lagSeconds, String walReceiverStatus, String upstream,
                        int connections, long xactCommit, List<StandbyStatus> standbys, String error, String uid,
                        boolean pendingRestart) {

    public Heartbeat(String cluster, String instance, Instant observedAt, long sequence,
                     State state, boolean processAlive, Role role, int timeline,
                     long currentLsn, long receiveLsn, long replayLsn,
                     long lagBytes, double lagSeconds, String walReceiverStatus, String upstream,
                     int connections, long xactCommit, List<StandbyStatus> standbys, String error) {
        this(cluster, instance, observedAt, sequence, state, processAlive, role, timeline, currentLsn, receiveLsn,
                replayLsn, lagBytes, lagSeconds, walReceiverStatus, upstream, connections, xactCommit, standbys, error, null, false);
    }

    public enum State { UP, UNREACHABLE, DOWN }

    public enum Role { PRIMARY, REPLICA, UNKNOWN }

    /**
     * A row of pg_stat_replication as seen on a primary. {@code replyTime}: the standby's last reply
     * as PostgreSQL reports it (the standby's clock, null before its first reply); compared only for
     * change, to tell a standby that still answers from a connection that merely has not timed out.
     */
    public record StandbyStatus(String applicationName, String state, String syncState,
                                long sentLsn, long flushLsn, long replayLsn, long lagBytes, String replyTime) {

        /** A row without its reply time (never counts as an answering standby). */
        public StandbyStatus(String applicationName, String state, String syncState,
                             long sentLsn, long flushLsn, long replayLsn, long lagBytes) {
            this(applicationName, state, syncState, sentLsn, flushLsn, replayLsn, lagBytes, null);
        }
    }

    public boolean isUp() {
        return state == State.UP;
    }
}
