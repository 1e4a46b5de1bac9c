package io.pgpilot.services;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Three consecutive loopback ports per cluster (rw, ro, r), starting at the configured base, kept
 * in {@code ports.json} so a restart keeps every cluster on its ports. Not thread-safe.
 */
public final class PortStore {

    private static final Logger log = LoggerFactory.getLogger(PortStore.class);

    private final Path file;
    private final int basePort;
    private final SortedMap<String, Integer> bases = new TreeMap<>();

    public PortStore(Path file, int basePort) {
        if (basePort < 1 || basePort > 65533) {
            throw new IllegalArgumentException("base port " + basePort + " out of range");
        }
        this.file = file;
        this.basePort = basePort;
        load();
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Map<?, ?> stored = Json.read(Files.readString(file), Map.class);
            stored.forEach((k, v) -> {
                if (k instanceof String cluster && Names.CLUSTER.matcher(cluster).matches() && v instanceof Number n) {
                    bases.put(cluster, n.intValue());
                } else {
                    log.warn("ignoring entry '{}' in {}", Names.printable(String.valueOf(k)), file);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Map<String, Integer> snapshot() {
        return Map.copyOf(bases);
    }

    /** The cluster's ports, allocating (and persisting) three free consecutive ones when it has none. */
    public EndpointPorts portsFor(String cluster) {
        Integer base = bases.get(cluster);
        if (base == null) {
            base = firstFreeRange();
            bases.put(cluster, base);
            save();
            log.info("cluster {}: allocated endpoint ports rw={} ro={} r={}", cluster, base, base + 1, base + 2);
        }
        return EndpointPorts.from(base);
    }

    public void release(String cluster) {
        if (bases.remove(cluster) != null) {
            save();
            log.info("cluster {}: released endpoint ports", cluster);
        }
    }

    private int firstFreeRange() {
        for (int candidate = basePort; candidate + 2 <= 65535; candidate++) {
            if (taken(candidate) || taken(candidate + 1) || taken(candidate + 2)) {
                continue;
            }
            if (bindable(candidate) && bindable(candidate + 1) && bindable(candidate + 2)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no three consecutive free ports from " + basePort);
    }

    private boolean taken(int port) {
        return bases.values().stream().anyMatch(b -> port >= b && port <= b + 2);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Json.write(bases));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
