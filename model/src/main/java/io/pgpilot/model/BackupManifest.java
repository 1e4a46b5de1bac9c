package io.pgpilot.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * CloudNativePG's {@code Backup} manifest ({@code postgresql.cnpg.io/v1}): an on-demand base backup
 * of a cluster to its object store. Strict like {@link ClusterManifest}: a field pgpilot does not
 * understand is an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(String apiVersion, String kind, ClusterManifest.Metadata metadata, BackupSpec spec) {

    public static final String KIND = "Backup";

    public String name() {
        return metadata == null ? null : metadata.name();
    }

    /** {@code method}: barmanObjectStore (the default); {@code target}: primary or prefer-standby (the cluster's choice when absent). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BackupSpec(PoolerManifest.ClusterReference cluster, String method, String target,
                             @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean online) {
    }
}
