package io.pgpilot.provisioner;

/**
 * Where the control plane reaches an instance's PostgreSQL over TCP: the address of the host
 * (node) it runs on and its port. Local instances answer at {@code 127.0.0.1}.
 */
public record InstanceEndpoint(String host, int port) {

    public InstanceEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("an instance endpoint needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("instance port out of range: " + port);
        }
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
