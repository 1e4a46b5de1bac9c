package io.pgpilot.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * CloudNativePG's {@code Database} manifest ({@code postgresql.cnpg.io/v1}): one database of a
 * cluster, reconciled on its primary. Strict like {@link ClusterManifest}: a field pgpilot does not
 * understand is an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseManifest(String apiVersion, String kind, ClusterManifest.Metadata metadata, DatabaseSpec spec) {

    public static final String KIND = "Database";

    public String name() {
        return metadata == null ? null : metadata.name();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatabaseSpec(PoolerManifest.ClusterReference cluster, String name, String owner, String ensure,
                               String encoding, String locale, String lcCollate, String lcCtype, String template,
                               Integer connectionLimit,
                               @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean allowConnections,
                               String databaseReclaimPolicy, List<ExtensionSpec> extensions) {
    }

    /** {@code spec.extensions[]}: an extension in the database ({@code ensure} present or absent). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExtensionSpec(String name, String ensure, String version, String schema) {
    }
}
