package io.pgpilot.provisioner.databases;

import java.util.Map;

/** A database as it exists ({@code pg_database}) and, when it accepts connections, its extensions (name to version and schema). */
public record ObservedDatabase(String name, String owner, String encoding, String lcCollate, String lcCtype, int connectionLimit,
                               boolean allowConnections, Map<String, InstalledExtension> extensions) {

    public ObservedDatabase {
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public record InstalledExtension(String version, String schema) {
    }
}
