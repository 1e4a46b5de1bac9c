package io.pgpilot.health;

import io.pgpilot.events.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Reads the superuser secret the provisioner wrote ({@code secrets/<cluster>-superuser.json}). */
final class SuperuserSecrets {

    record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    private final Path secretsDir;

    SuperuserSecrets(Path home) {
        this.secretsDir = home.resolve("secrets");
    }

    @SuppressWarnings("unchecked")
    Optional<Credentials> forCluster(String cluster) {
        Path file = secretsDir.resolve(cluster + "-superuser.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> secret = Json.MAPPER.readValue(Files.readString(file), Map.class);
            Object user = secret.getOrDefault("username", "postgres");
            Object password = secret.get("password");
            return password == null ? Optional.empty() : Optional.of(new Credentials(user.toString(), password.toString()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
