package io.pgpilot.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A CloudNativePG-style {@code Cluster} manifest ({@code postgresql.cnpg.io/v1}). Only the fields
 * pgpilot understands exist here: anything else in a manifest is rejected, never silently dropped.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterManifest(String apiVersion, String kind, Metadata metadata, ClusterSpec spec) {

    public static final String API_VERSION = "postgresql.cnpg.io/v1";
    public static final String KIND = "Cluster";

    public String name() {
        return metadata == null ? null : metadata.name();
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Metadata(String name, String namespace, Map<String, String> labels,
                           Map<String, String> annotations) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClusterSpec(Integer instances, String description, String imageName,
                              PostgresConfiguration postgresql, Storage storage, Backup backup,
                              Bootstrap bootstrap, Integer failoverDelay, Integer switchoverDelay,
                              String primaryUpdateStrategy, String primaryUpdateMethod,
                              java.util.List<ExternalCluster> externalClusters, Certificates certificates,
                              Managed managed) {

        public ClusterSpec(Integer instances, String description, String imageName,
                           PostgresConfiguration postgresql, Storage storage, Backup backup,
                           Bootstrap bootstrap, Integer failoverDelay, Integer switchoverDelay,
                           String primaryUpdateStrategy, String primaryUpdateMethod,
                           java.util.List<ExternalCluster> externalClusters, Certificates certificates) {
            this(instances, description, imageName, postgresql, storage, backup, bootstrap, failoverDelay, switchoverDelay,
                    primaryUpdateStrategy, primaryUpdateMethod, externalClusters, certificates, null);
        }

        public ClusterSpec(Integer instances, String description, String imageName,
                           PostgresConfiguration postgresql, Storage storage, Backup backup,
                           Bootstrap bootstrap, Integer failoverDelay, Integer switchoverDelay,
                           String primaryUpdateStrategy, String primaryUpdateMethod,
                           java.util.List<ExternalCluster> externalClusters) {
            this(instances, description, imageName, postgresql, storage, backup, bootstrap, failoverDelay, switchoverDelay,
                    primaryUpdateStrategy, primaryUpdateMethod, externalClusters, null);
        }

        public ClusterSpec(Integer instances, String description, String imageName,
                           PostgresConfiguration postgresql, Storage storage, Backup backup,
                           Bootstrap bootstrap, Integer failoverDelay, Integer switchoverDelay,
                           String primaryUpdateStrategy, String primaryUpdateMethod) {
            this(instances, description, imageName, postgresql, storage, backup, bootstrap, failoverDelay, switchoverDelay,
                    primaryUpdateStrategy, primaryUpdateMethod, null, null);
        }
    }

    /** {@code spec.managed}: CloudNativePG's declarative roles. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Managed(java.util.List<RoleConfiguration> roles) {
    }

    /**
     * {@code spec.managed.roles[]}, CloudNativePG's RoleConfiguration: attributes are strict booleans,
     * {@code ensure} is {@code present} (default) or {@code absent}; the password comes from a secret
     * with keys {@code username} and {@code password} ({@code passwordSecret.name}), never from the manifest.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoleConfiguration(String name, String ensure, String comment,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean login,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean superuser,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean createdb,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean createrole,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean inherit,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean replication,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean bypassrls,
            Integer connectionLimit, String validUntil, java.util.List<String> inRoles,
            LocalObjectReference passwordSecret,
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean disablePassword) {
    }

    public record LocalObjectReference(String name) {
    }

    /**
     * {@code spec.certificates}: CloudNativePG's {@code serverAltDNSNames} (extra DNS names in the
     * server certificates) and pgpilot's {@code requireTls} (true: plain-text application
     * connections are refused). A strict boolean: {@code "true"} as a string is refused.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Certificates(
            @tools.jackson.databind.annotation.JsonDeserialize(using = StrictBoolean.class) Boolean requireTls,
            java.util.List<String> serverAltDNSNames) {
    }

    /**
     * {@code spec.externalClusters[]}: another cluster's backup store, the source of a
     * {@code bootstrap.recovery} (CloudNativePG's barmanObjectStore form; {@code serverName}
     * defaults to the external cluster's name).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExternalCluster(String name, BarmanObjectStore barmanObjectStore) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PostgresConfiguration(Map<String, String> parameters, Synchronous synchronous,
                                        java.util.List<String> pg_hba) {
    }

    /** {@code spec.postgresql.synchronous}: method {@code any} (quorum) or {@code first}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Synchronous(String method, Integer number) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Storage(String storageClass, String size) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backup(BarmanObjectStore barmanObjectStore, String retentionPolicy, String target, String schedule) {

        public Backup(BarmanObjectStore barmanObjectStore, String retentionPolicy, String target) {
            this(barmanObjectStore, retentionPolicy, target, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BarmanObjectStore(String destinationPath, String endpointURL, String serverName,
                                    S3Credentials s3Credentials, WalConfiguration wal,
                                    DataConfiguration data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record S3Credentials(SecretKeySelector accessKeyId, SecretKeySelector secretAccessKey,
                                SecretKeySelector region, SecretKeySelector sessionToken,
                                Boolean inheritFromIAMRole) {
    }

    public record SecretKeySelector(String name, String key) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WalConfiguration(String compression, String encryption, Integer maxParallel) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DataConfiguration(String compression, String encryption, Integer jobs) {
    }

    /** {@code spec.bootstrap}: a fresh {@code initdb} (the default) or {@code recovery} from a backup. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Bootstrap(InitDb initdb, Recovery recovery) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InitDb(String database, String owner, Boolean dataChecksums, String encoding) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recovery(String source, String backupID, RecoveryTarget recoveryTarget) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RecoveryTarget(String targetTime, String targetLSN, String targetName,
                                 Boolean targetImmediate, String targetTLI, String backupID,
                                 Boolean exclusive) {
    }
}
