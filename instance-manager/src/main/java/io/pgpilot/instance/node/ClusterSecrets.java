package io.pgpilot.instance.node;

import io.pgpilot.events.Json;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the control plane hands a node about a cluster, kept under {@code <home>/secrets/} (directory
 * 700, files 600, owned by the agent's user; the same names the single-host platform's home uses):
 * <ul>
 *   <li>{@code <cluster>-wal-token.json} ({@code {"token": ...}}): the backup service's token, read by
 *       the configuration writer for the curl config of archive_command/restore_command;</li>
 *   <li>{@code <cluster>-superuser.json} ({@code {"username", "password"}}) and
 *       {@code <cluster>-manager.json} ({@code {"uid", "clusterSize"}}): what the node's instance
 *       managers run with ({@link ManagerSpec}).</li>
 * </ul>
 * Removed with the cluster's last instance on the node. Never logged.
 */
public final class ClusterSecrets {

    private final Path directory;

    public ClusterSecrets(Path home) {
        this.directory = home.toAbsolutePath().resolve("secrets");
    }

    void writeToken(String cluster, String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ProvisioningException(Reason.SECRETS, "not a usable token for cluster " + cluster);
        }
        write(cluster, "wal-token", Map.of("token", token), "token");
    }

    /** The cluster's token; a ProvisioningException when the control plane has not handed one over. */
    String readToken(String cluster) {
        Object token = read(cluster, "wal-token").map(json -> json.get("token")).orElse(null);
        if (token instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new ProvisioningException(Reason.SECRETS, "no token for cluster " + cluster + " on this node: the control plane writes it first");
    }

    /** True when something changed. */
    boolean writeManagerSpec(String cluster, ManagerSpec spec) {
        Map<String, Object> superuser = new LinkedHashMap<>();
        superuser.put("username", spec.superuser().username());
        superuser.put("password", spec.superuser().password());
        Map<String, Object> manager = new LinkedHashMap<>();
        manager.put("uid", spec.uid());
        manager.put("clusterSize", spec.clusterSize());
        boolean changed = write(cluster, "superuser", superuser, "superuser credentials");
        return write(cluster, "manager", manager, "instance manager settings") || changed;
    }

    /** Empty until the control plane handed one over (or when the files are unusable: the caller waits for the next). */
    public Optional<ManagerSpec> managerSpec(String cluster) {
        try {
            Optional<Map<String, Object>> manager = read(cluster, "manager");
            Optional<Map<String, Object>> superuser = read(cluster, "superuser");
            if (manager.isEmpty() || superuser.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ManagerSpec(String.valueOf(manager.get().get("uid")), ((Number) manager.get().get("clusterSize")).intValue(),
                    new Credentials(String.valueOf(superuser.get().get("username")), String.valueOf(superuser.get().get("password")))));
        } catch (ProvisioningException | ClassCastException | NullPointerException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The file an instance manager reads its superuser from ({@code credentials-file}). */
    public Path superuserFile(String cluster) {
        return file(cluster, "superuser");
    }

    /** Every file of the cluster (its last instance on the node is gone). */
    void remove(String cluster) {
        for (String kind : new String[] {"wal-token", "superuser", "manager"}) {
            try {
                Files.deleteIfExists(file(cluster, kind));
            } catch (IOException e) {
                throw new ProvisioningException(Reason.SECRETS, "cannot remove the " + kind + " file of cluster " + cluster);
            }
        }
    }

    private boolean write(String cluster, String kind, Map<String, Object> content, String what) {
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return Files2.writePrivate(file(cluster, kind), Json.write(content) + "\n", null);
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.SECRETS, "cannot store the " + what + " of cluster " + cluster);
        }
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> read(String cluster, String kind) {
        Path file = file(cluster, kind);
        try {
            return Files.exists(file) ? Optional.of(Json.read(Files.readString(file), Map.class)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.SECRETS, "unreadable " + kind + " file of cluster " + cluster);
        }
    }

    private Path file(String cluster, String kind) {
        return directory.resolve(Names.requireCluster(cluster) + "-" + kind + ".json");
    }
}
