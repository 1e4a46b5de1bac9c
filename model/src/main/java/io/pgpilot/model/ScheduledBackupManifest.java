package io.pgpilot.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * CloudNativePG's {@code ScheduledBackup} manifest ({@code postgresql.cnpg.io/v1}): base backups of
 * a cluster on a 6-field cron schedule (seconds first, UTC). Strict: unknown fields are errors.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduledBackupManifest(String apiVersion, String kind, ClusterManifest.Metadata metadata, ScheduledBackupSpec spec) {

    public static final String KIND = "ScheduledBackup";

    public String name() {
        return metadata == null ? null : metadata.name();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ScheduledBackupSpec(PoolerManifest.ClusterReference cluster, String schedule,
                                      @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean immediate,
                                      @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean suspend,
                                      String backupOwnerReference, String method, String target,
                                      @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean online) {
    }
}
