package io.pgpilot.instance.layout;

/**
 * What the convergence planner needs to know of one instance: {@code standby} when its data
 * directory holds a standby.signal (a running instance with it is in recovery, one without it is a
 * primary), {@code upstreamPort} and {@code upstreamHost} where its managed primary_conninfo points
 * (0 / null: none; instances on several hosts may share a port number).
 */
public record MemberState(int ordinal, String name, int port, boolean initialized, boolean standby, boolean running,
                          int upstreamPort, String upstreamHost) {

    /** Upstream host unknown (every instance on one host). */
    public MemberState(int ordinal, String name, int port, boolean initialized, boolean standby, boolean running, int upstreamPort) {
        this(ordinal, name, port, initialized, standby, running, upstreamPort, null);
    }
}
