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
 * {@code width} consecutive loopback ports per name (three per cluster: rw, ro, r; one per pooler),
 * starting at the configured base, kept in a JSON file so a restart keeps every name on its ports.
 * Not thread-safe.
 */
public final class PortStore {

    private static final Logger log = LoggerFactory.getLogger(PortStore.class);

    private final Path file;
    private final int basePort;
    private final int width;
    private final SortedMap<String, Integer> bases = new TreeMap<>();

    public PortStore(Path file, int basePort) {
        this(file, basePort, 3);
    }

    public PortStore(Path file, int basePort, int width) {
        if (width < 1 || width > 10) {
            throw new IllegalArgumentException("width " + width + " out of range");
        }
        if (basePort < 1 || basePort > 65536 - width) {
            throw new IllegalArgumentException("base port " + basePort + " out of range");
        }
        this.file = file;
        this.basePort = basePort;
        this.width = width;
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
        return EndpointPorts.from(baseFor(cluster));
    }

    /** The first of the name's {@code width} ports, allocating (and persisting) free ones when it has none. */
    public int baseFor(String name) {
        Integer base = bases.get(name);
        if (base == null) {
            base = firstFreeRange();
            bases.put(name, base);
            save();
            log.info("{}: allocated port(s) {}..{}", name, base, base + width - 1);
        }
        return base;
    }

    public void release(String cluster) {
        if (bases.remove(cluster) != null) {
            save();
            log.info("{}: released its port(s)", cluster);
        }
    }

    private int firstFreeRange() {
        for (int candidate = basePort; candidate + width - 1 <= 65535; candidate++) {
            int first = candidate;
            if (java.util.stream.IntStream.range(0, width).anyMatch(i -> taken(first + i) || !bindable(first + i))) {
                continue;
            }
            return candidate;
        }
        throw new IllegalStateException("no " + width + " consecutive free ports from " + basePort);
    }

    private boolean taken(int port) {
        return bases.values().stream().anyMatch(b -> port >= b && port < b + width);
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
