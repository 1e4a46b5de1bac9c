package io.pgpilot.instance.probe;

import io.pgpilot.events.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a superuser secret file ({@code {"username": ..., "password": ...}}), the format the
 * provisioner writes as {@code secrets/<cluster>-superuser.json}. The password never appears in a
 * message or a {@code toString}.
 */
public final class SuperuserSecrets {

    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    /** The file is not a usable secret; the message names the file and what is wrong, never its content. */
    public static final class UnreadableSecretException extends RuntimeException {
        public UnreadableSecretException(String message) {
            super(message);
        }
    }

    private final Path secretsDir;

    public SuperuserSecrets(Path home) {
        this.secretsDir = home.resolve("secrets");
    }

    /** Empty while the provisioner has not written the cluster's secret (or it is unreadable). */
    public Optional<Credentials> forCluster(String cluster) {
        Path file = secretsDir.resolve(cluster + "-superuser.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(file));
        } catch (UnreadableSecretException e) {
            return Optional.empty();
        }
    }

    /** One secret file; {@code username} defaults to {@code postgres}, {@code password} is required. */
    @SuppressWarnings("unchecked")
    public static Credentials read(Path file) {
        Map<String, Object> secret;
        try {
            secret = Json.MAPPER.readValue(Files.readString(file), Map.class);
        } catch (IOException | RuntimeException e) {
            throw new UnreadableSecretException(file + ": not a readable JSON object (" + e.getClass().getSimpleName() + ")");
        }
        Object user = secret.getOrDefault("username", "postgres");
        Object password = secret.get("password");
        if (password == null || password.toString().isEmpty()) {
            throw new UnreadableSecretException(file + ": field 'password' is missing");
        }
        return new Credentials(String.valueOf(user), password.toString());
    }
}
