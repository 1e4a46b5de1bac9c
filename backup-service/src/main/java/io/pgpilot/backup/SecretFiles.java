package io.pgpilot.backup;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the local analog of Kubernetes Secrets: {@code ${pgpilot.home}/secrets/<name>.json}, a flat
 * JSON object of keys to values. Values are never logged nor put in messages.
 */
public final class SecretFiles {

    public static final class SecretException extends RuntimeException {
        public enum Reason { INVALID_REFERENCE, MISSING, UNREADABLE }

        private final Reason reason;

        SecretException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final Path directory;

    public SecretFiles(Path home) {
        this.directory = home.toAbsolutePath().resolve("secrets");
    }

    public Path file(String name) {
        if (name == null || !Names.SECRET.matcher(name).matches()) {
            throw new SecretException(SecretException.Reason.INVALID_REFERENCE, "'" + Names.printable(name) + "' is not a secret name");
        }
        return directory.resolve(name + ".json");
    }

    public String value(String name, String key) {
        if (key == null || !Names.SECRET_KEY.matcher(key).matches()) {
            throw new SecretException(SecretException.Reason.INVALID_REFERENCE, "'" + Names.printable(key) + "' is not a secret key");
        }
        Path file = file(name);
        if (!Files.exists(file)) {
            throw new SecretException(SecretException.Reason.MISSING, "secret " + name + " does not exist (" + file + ")");
        }
        Map<?, ?> values;
        try {
            values = Json.read(Files.readString(file), Map.class);
        } catch (IOException | RuntimeException e) {
            throw new SecretException(SecretException.Reason.UNREADABLE, "secret " + name + " is not a JSON object of strings");
        }
        Object value = values.get(key);
        if (!(value instanceof String s) || s.isEmpty()) {
            throw new SecretException(SecretException.Reason.MISSING, "secret " + name + " has no key " + key);
        }
        return s;
    }
}
