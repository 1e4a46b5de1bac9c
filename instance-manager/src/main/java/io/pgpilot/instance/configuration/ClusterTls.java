package io.pgpilot.instance.configuration;

import io.pgpilot.events.Json;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.model.ClusterDefinition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A cluster's TLS choices from its manifest ({@code spec.certificates}), kept in
 * {@code <home>/clusters/<cluster>/tls.json} so that every path that rewrites pg_hba.conf or a
 * certificate (creation, clone, rewind, renewal) applies them, also before the next spec arrives.
 */
public record ClusterTls(boolean requireTls, List<String> serverAltDnsNames) {

    public static final String FILE = "tls.json";
    public static final ClusterTls DEFAULT = new ClusterTls(false, List.of());

    public ClusterTls {
        serverAltDnsNames = serverAltDnsNames == null ? List.of() : List.copyOf(serverAltDnsNames);
    }

    public static ClusterTls of(ClusterDefinition cluster) {
        return new ClusterTls(cluster.requireTls(), cluster.serverAltDnsNames());
    }

    public static ClusterTls read(Path clusterDirectory) {
        Path file = clusterDirectory.resolve(FILE);
        try {
            return Files.exists(file) ? Json.read(Files.readString(file), ClusterTls.class) : DEFAULT;
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(ProvisioningException.Reason.CONFIGURE, "unreadable " + file, e);
        }
    }

    /** True when the file changed. */
    public boolean write(Path clusterDirectory) {
        try {
            Files.createDirectories(clusterDirectory);
        } catch (IOException e) {
            throw new ProvisioningException(ProvisioningException.Reason.CONFIGURE, "cannot create " + clusterDirectory, e);
        }
        return Files2.writePrivate(clusterDirectory.resolve(FILE), Json.write(this) + "\n", null);
    }
}
