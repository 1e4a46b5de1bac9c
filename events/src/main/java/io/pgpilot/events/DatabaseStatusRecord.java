package io.pgpilot.events;

import java.time.Instant;
import java.util.List;

/**
 * What the provisioner did with one Database manifest (key: manifest name), like CloudNativePG's
 * Database status: {@code applied} once the database matches the manifest of {@code generation};
 * {@code message} says why not (never a secret). {@code extensions}: those installed now.
 */
public record DatabaseStatusRecord(String name, String cluster, String database, Phase phase, String message,
                                   List<String> extensions, long generation, Instant updatedAt) {

    public enum Phase { PENDING, APPLIED, DROPPED, FAILED }

    public DatabaseStatusRecord {
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
    }
}
