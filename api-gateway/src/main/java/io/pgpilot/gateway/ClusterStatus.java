package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/v1/clusters/{name}} answers: the analog of {@code kubectl cnpg status}.
 * {@code uid} names the incarnation (new at every creation of the name, like metadata.uid);
 * {@code pendingRestart}: instances that run with a changed parameter still waiting for a restart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(String name, long generation, String phase, int instances, int readyInstances,
                            String currentPrimary, long topologyEpoch, Integer timeline,
                            String synchronousStandbyNames, int synchronousStandbys,
                            List<InstanceStatus> instanceStatus, Map<String, String> endpoints,
                            Map<String, String> secrets, Progress progress, LastEvent lastEvent, String uid,
                            List<String> pendingRestart, ManagedRolesStatus managedRolesStatus) {

    /**
     * {@code spec.managed.roles} as reconciled on the primary (CloudNativePG's managedRolesStatus):
     * {@code current} false while the provisioner has not yet reconciled the spec's generation.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ManagedRolesStatus(List<String> reconciled, Map<String, String> cannotReconcile, long generation,
                                     boolean current, Instant updatedAt) {
    }

    /** This status with the managed roles' reconciliation (null: the cluster has no managed roles). */
    public ClusterStatus withManagedRoles(ManagedRolesStatus roles) {
        return new ClusterStatus(name, generation, phase, instances, readyInstances, currentPrimary, topologyEpoch, timeline,
                synchronousStandbyNames, synchronousStandbys, instanceStatus, endpoints, secrets, progress, lastEvent, uid,
                pendingRestart, roles);
    }

    /**
     * While not every instance is ready (creation, scale-up, recovery): {@code step} of {@code of}
     * instances ready and what is happening, e.g. "2/3 instances ready; creating postgres-cluster-3".
     */
    public record Progress(int step, int of, int percent, String message) {
    }

    /** The latest event about the cluster since its current spec was accepted (from pgpilot.cluster.events). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LastEvent(String type, String instance, String message, Instant time, Integer step, Integer of) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InstanceStatus(String name, String role, String status, String host, Integer port, Integer timeline,
                                 String currentLsn, String receivedLsn, String replayLsn, Long lagBytes,
                                 Double lagSeconds, String syncState, String walReceiver, Integer connections,
                                 String message) {
    }
}
