package io.pgpilot.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * CloudNativePG's {@code Pooler} manifest ({@code postgresql.cnpg.io/v1}): a PgBouncer pool in front
 * of one cluster's {@code rw}, {@code ro} or {@code r} endpoint. Strict like {@link ClusterManifest}:
 * a field pgpilot does not understand is an error. {@code template} (the Kubernetes pod template) and
 * {@code monitoring} are accepted for compatibility; the local backend has no pods to apply them to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolerManifest(String apiVersion, String kind, ClusterManifest.Metadata metadata, PoolerSpec spec) {

    public static final String KIND = "Pooler";

    public String name() {
        return metadata == null ? null : metadata.name();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PoolerSpec(ClusterReference cluster, String type, Integer instances, PgBouncer pgbouncer,
                             Map<String, Object> template, Monitoring monitoring) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClusterReference(String name) {
    }

    /** {@code spec.pgbouncer}; {@code authQuerySecret} names a user-supplied secret with username and password. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PgBouncer(String poolMode, Map<String, String> parameters, Boolean paused,
                            SecretReference authQuerySecret, String authQuery) {
    }

    /** A whole secret by name (CloudNativePG's LocalObjectReference). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SecretReference(String name) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Monitoring(Boolean enablePodMonitor) {
    }
}
