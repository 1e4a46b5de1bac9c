package io.pgpilot.services.pooler;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The role a pooler runs its auth query with: pgpilot's own pooler role from the cluster's
 * {@code <cluster>-pooler} secret, or the user-supplied {@code authQuerySecret} (keys username and
 * password, like a Kubernetes basic-auth secret). Read from the platform home's secrets; toString hides the password.
 */
record PoolerCredentials(String username, String password) {

    @Override
    public String toString() {
        return "PoolerCredentials[username=" + username + ", password=***]";
    }

    static Optional<PoolerCredentials> read(Path secretsDir, String secretName) {
        if (!Names.SECRET.matcher(secretName).matches()) {
            return Optional.empty();
        }
        Path file = secretsDir.resolve(secretName + ".json");
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> secret = Json.read(Files.readString(file), Map.class);
            Object user = secret.get("username");
            Object password = secret.get("password");
            if (!(user instanceof String u) || !(password instanceof String p) || u.isBlank() || p.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new PoolerCredentials(u, p));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
