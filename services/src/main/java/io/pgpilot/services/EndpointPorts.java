package io.pgpilot.services;

/** The three consecutive loopback ports of one cluster. */
public record EndpointPorts(int rw, int ro, int r) {

    public static EndpointPorts from(int base) {
        return new EndpointPorts(base, base + 1, base + 2);
    }
}
