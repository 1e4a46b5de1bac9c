package io.pgpilot.provisioner;

/** One step towards the topology, decided by {@link TopologyConvergencePlanner}, carried out by {@link TopologyConverger}. */
public sealed interface ConvergenceStep {

    int ordinal();

    /** A running primary that the topology does not name primary: fast shutdown, final LSN recorded. */
    record Demote(int ordinal) implements ConvergenceStep {
    }

    /** The topology primary is a standby: start it if needed, wait for a demoted primary's WAL, promote. */
    record Promote(int ordinal, boolean start) implements ConvergenceStep {
    }

    /** The topology primary is a stopped primary: start it as it is. */
    record StartPrimary(int ordinal, String reason) implements ConvergenceStep {
    }

    /** The topology primary is down and must not be restarted yet (the failover service may promote another). */
    record HoldPrimary(int ordinal, String reason) implements ConvergenceStep {
    }

    /** A running standby that follows another upstream: new primary_conninfo and a reload, no restart. */
    record Repoint(int ordinal, int primaryOrdinal) implements ConvergenceStep {
    }

    /** A stopped non-primary: rewind (or re-clone) when needed, then start as a standby of the primary. */
    record Rejoin(int ordinal, int primaryOrdinal) implements ConvergenceStep {
    }

    /** A fenced instance: stopped and kept stopped. */
    record Fence(int ordinal) implements ConvergenceStep {
    }
}
