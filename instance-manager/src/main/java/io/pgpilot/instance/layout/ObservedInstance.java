package io.pgpilot.instance.layout;

/**
 * What is on disk and running for one instance: {@code initialized} when its data directory holds a
 * PostgreSQL cluster, {@code standby} when it has a standby.signal.
 */
public record ObservedInstance(int ordinal, String name, int port, boolean initialized, boolean standby, boolean running) {
}
