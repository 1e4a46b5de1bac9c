package io.pgpilot.gateway;

import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.ClusterManifest.Backup;
import io.pgpilot.model.ClusterManifest.BarmanObjectStore;
import io.pgpilot.model.ClusterManifest.Bootstrap;
import io.pgpilot.model.ClusterManifest.ClusterSpec;
import io.pgpilot.model.ClusterManifest.ExternalCluster;
import io.pgpilot.model.ClusterManifest.Metadata;
import io.pgpilot.model.ClusterManifest.Recovery;
import io.pgpilot.model.ClusterManifest.RecoveryTarget;

import java.util.List;

/**
 * The manifest of a new cluster restored from another one's backups, CloudNativePG's way: the
 * source's spec (instances, parameters, storage, its backup settings archiving under the new
 * cluster's own serverName), {@code bootstrap.recovery} from the source as an external cluster
 * with the source's object store, and the target asked for. Pure; the result is validated like
 * any submitted manifest.
 */
final class RestoreManifests {

    /** What {@code POST /api/v1/clusters/{name}/restore} takes. */
    record RestoreRequest(String cluster, String targetTime, String backupID, String targetLSN, String targetName,
                          Boolean targetImmediate) {
    }

    private RestoreManifests() {
    }

    static ClusterManifest build(String sourceName, ClusterManifest source, RestoreRequest request) {
        ClusterSpec spec = source.spec();
        if (spec.backup() == null || spec.backup().barmanObjectStore() == null) {
            throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, "cluster " + sourceName + " has no backup configuration");
        }
        BarmanObjectStore store = spec.backup().barmanObjectStore();
        // the source's store as the recovery source; serverName as it archives (default: its own name)
        BarmanObjectStore sourceStore = new BarmanObjectStore(store.destinationPath(), store.endpointURL(),
                store.serverName() == null ? sourceName : store.serverName(), store.s3Credentials(), store.wal(), store.data());
        // the new cluster archives into the same bucket under its own name
        BarmanObjectStore ownStore = new BarmanObjectStore(store.destinationPath(), store.endpointURL(), null, store.s3Credentials(),
                store.wal(), store.data());
        Backup backup = new Backup(ownStore, spec.backup().retentionPolicy(), spec.backup().target(), spec.backup().schedule());
        boolean anyTarget = request.targetTime() != null || request.targetLSN() != null || request.targetName() != null
                || Boolean.TRUE.equals(request.targetImmediate());
        RecoveryTarget target = anyTarget ? new RecoveryTarget(request.targetTime(), request.targetLSN(), request.targetName(),
                request.targetImmediate(), null, null, null) : null;
        Recovery recovery = new Recovery(sourceName, request.backupID(), target);
        ClusterSpec restored = new ClusterSpec(spec.instances(), spec.description(), spec.imageName(), spec.postgresql(), spec.storage(),
                backup, new Bootstrap(null, recovery), spec.failoverDelay(), spec.switchoverDelay(), spec.primaryUpdateStrategy(),
                spec.primaryUpdateMethod(), List.of(new ExternalCluster(sourceName, sourceStore)), spec.certificates(), spec.managed());
        Metadata metadata = source.metadata();
        return new ClusterManifest(source.apiVersion(), source.kind(), new Metadata(request.cluster(), metadata == null ? null : metadata.namespace(),
                metadata == null ? null : metadata.labels(), metadata == null ? null : metadata.annotations()), restored);
    }
}
