package io.pgpilot.instance.node;

import io.pgpilot.events.Json;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The clusters' backup-service tokens on a node, as the control plane hands them over: under
 * {@code <home>/secrets/<cluster>-wal-token.json} ({@code {"token": ...}}, directory 700, file 600,
 * owned by the agent's user; the same file the single-host platform's ServiceTokens keeps). Read by
 * the configuration writer for the curl config of archive_command/restore_command. Never logged.
 */
final class ClusterTokens {

    private final Path directory;

    ClusterTokens(Path home) {
        this.directory = home.toAbsolutePath().resolve("secrets");
    }

    void write(String cluster, String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ProvisioningException(Reason.SECRETS, "not a usable token for cluster " + cluster);
        }
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files2.writePrivate(file(cluster), Json.write(Map.of("token", token)) + "\n", null);
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.SECRETS, "cannot store the token of cluster " + cluster);
        }
    }

    /** The cluster's token; a ProvisioningException when the control plane has not handed one over. */
    String read(String cluster) {
        Path file = file(cluster);
        try {
            Object token = Files.exists(file) ? Json.read(Files.readString(file), Map.class).get("token") : null;
            if (token instanceof String s && !s.isBlank()) {
                return s;
            }
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.SECRETS, "unreadable token file of cluster " + cluster);
        }
        throw new ProvisioningException(Reason.SECRETS, "no token for cluster " + cluster + " on this node: the control plane writes it first");
    }

    private Path file(String cluster) {
        return directory.resolve(Names.requireCluster(cluster) + "-wal-token.json");
    }
}
