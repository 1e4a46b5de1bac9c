package io.pgpilot.instance.layout;

/**
 * What the convergence planner needs to know of one instance: {@code standby} when its data
 * directory holds a standby.signal (a running instance with it is in recovery, one without it is a
 * primary), {@code upstreamPort} the port its managed primary_conninfo points at (0: none).
 */
public record MemberState(int ordinal, String name, int port, boolean initialized, boolean standby, boolean running,
                          int upstreamPort) {
}
