package io.pgpilot.instance.layout;

import io.pgpilot.events.Json;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The instance directories of one host: which clusters and instances have one, their persisted
 * metadata (the port, assigned once), creation of the private directories and a fresh data directory.
 */
public final class InstanceDirectories {

    private static final Object PORT_LOCK = new Object();

    private final PostgresHost host;
    private final int basePort;
    private final String bindAddress;

    /** Ports probed on the loopback address (single host). */
    public InstanceDirectories(PostgresHost host, int basePort) {
        this(host, basePort, InstanceLayout.HOST);
    }

    /** @param bindAddress where the instances will listen besides loopback (a node's address): a port is free when it binds there */
    public InstanceDirectories(PostgresHost host, int basePort, String bindAddress) {
        this.host = host;
        this.basePort = basePort;
        this.bindAddress = bindAddress;
    }

    /** Clusters that have a directory under the home. */
    public List<String> clusters() {
        Path dir = InstanceLayout.clustersDirectory(host.home());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> Names.CLUSTER.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ordinals of the instance directories of a cluster. */
    public List<Integer> ordinals(String cluster) {
        Path dir = InstanceLayout.clusterDirectory(host.home(), cluster);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern pattern = Pattern.compile(Pattern.quote(cluster) + "-([1-9][0-9]{0,2})");
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory)
                    .map(p -> pattern.matcher(p.getFileName().toString()))
                    .filter(java.util.regex.Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InstanceMetadata readMetadata(InstanceLayout layout) {
        Path file = layout.metadataFile();
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Json.read(Files.readString(file), InstanceMetadata.class);
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.LAYOUT, "unreadable " + file, e);
        }
    }

    /** Creates the instance directories and assigns (once, persisted) a port. */
    public InstanceMetadata prepare(InstanceLayout layout) {
        try {
            host.user().requireTraversable(host.home());
            Path clusters = InstanceLayout.clustersDirectory(host.home());
            Path clusterDir = layout.directory().getParent();
            for (Path dir : List.of(clusters, clusterDir)) {
                if (!Files.exists(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            host.user().createPrivateDirectory(layout.directory());
            host.user().createPrivateDirectory(layout.socketDirectory());
            host.user().createPrivateDirectory(layout.logDirectory());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new ProvisioningException(Reason.LAYOUT, "cannot create " + layout.directory(), e);
        }
        synchronized (PORT_LOCK) {
            InstanceMetadata existing = readMetadata(layout);
            if (existing != null) {
                return existing;
            }
            int port = PortAllocator.choose(basePort, assignedPorts(), this::portFree);
            InstanceMetadata metadata = new InstanceMetadata(layout.cluster(), layout.instance(), layout.ordinal(), port);
            Files2.writePrivate(layout.metadataFile(), Json.write(metadata) + "\n", host.user());
            return metadata;
        }
    }

    private Set<Integer> assignedPorts() {
        Set<Integer> ports = new HashSet<>();
        for (String cluster : clusters()) {
            for (int ordinal : ordinals(cluster)) {
                InstanceMetadata m = readMetadata(host.layout(cluster, ordinal));
                if (m != null) {
                    ports.add(m.port());
                }
            }
        }
        return ports;
    }

    boolean portFree(int port) {
        return portFree(InstanceLayout.HOST, port) && (InstanceLayout.HOST.equals(bindAddress) || portFree(bindAddress, port));
    }

    static boolean portFree(String address, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An empty private data directory (whatever a failed earlier attempt left is removed). */
    public void freshDataDirectory(InstanceLayout layout) {
        Files2.deleteRecursively(layout.pgdata());
        host.user().createPrivateDirectory(layout.pgdata());
    }

    /** Removes a cluster's directory with whatever its instances left (they are stopped already). */
    public void removeCluster(String cluster) {
        Files2.deleteRecursively(InstanceLayout.clusterDirectory(host.home(), cluster));
    }
}
