package io.pgpilot.failover;

/**
 * Whether this replica of the failover service may decide, as a state machine without I/O:
 * {@code STANDBY -> CATCHING_UP} when the group assigns it the leader partition,
 * {@code CATCHING_UP -> ACTIVE} once it fenced the previous leader and read the topology up to
 * its end, and back to {@code STANDBY} at once on revocation, loss or fencing. Every assignment
 * opens a new term, so a catch-up that finishes after a revocation does not make it active.
 */
final class Leadership {

    enum State { STANDBY, CATCHING_UP, ACTIVE }

    private State state = State.STANDBY;
    private long term;

    /** The leader partition was assigned: the term the catch-up must present to {@link #caughtUp}. */
    synchronized long assigned() {
        term++;
        state = State.CATCHING_UP;
        return term;
    }

    /** True when this replica became the active decider (the term is still the current one). */
    synchronized boolean caughtUp(long caughtUpTerm) {
        if (caughtUpTerm != term || state != State.CATCHING_UP) {
            return false;
        }
        state = State.ACTIVE;
        return true;
    }

    /** Revoked, lost or fenced: true when it was assigned or active until now. */
    synchronized boolean revoked() {
        boolean was = state != State.STANDBY;
        term++;
        state = State.STANDBY;
        return was;
    }

    synchronized boolean active() {
        return state == State.ACTIVE;
    }

    /** True while {@code someTerm} is the term in force and this replica is active in it. */
    synchronized boolean activeIn(long someTerm) {
        return state == State.ACTIVE && term == someTerm;
    }

    synchronized State state() {
        return state;
    }
}
