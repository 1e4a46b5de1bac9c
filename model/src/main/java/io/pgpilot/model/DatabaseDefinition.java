package io.pgpilot.model;

import java.util.List;

/**
 * A validated {@code Database}: {@code name} is the manifest's, {@code database} the PostgreSQL
 * database's. {@code encoding}, {@code lcCollate}, {@code lcCtype} null: the template's.
 * {@code reclaimDelete}: deleting the manifest drops the database (CloudNativePG's
 * {@code databaseReclaimPolicy: delete}); the default keeps it ({@code retain}).
 */
public record DatabaseDefinition(String name, String cluster, String database, String owner, boolean present,
                                 String encoding, String lcCollate, String lcCtype, String template, int connectionLimit,
                                 boolean allowConnections, boolean reclaimDelete, List<Extension> extensions) {

    public DatabaseDefinition {
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
    }

    /** An extension of the database; {@code version} and {@code schema} null: the default. */
    public record Extension(String name, boolean present, String version, String schema) {
    }
}
