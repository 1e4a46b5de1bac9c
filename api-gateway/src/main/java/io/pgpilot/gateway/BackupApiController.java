package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.pgpilot.events.Json;
import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.Names;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Backups and restores of a cluster. Base backups are the backup service's: the gateway checks
 * the names and passes the call on ({@code POST} answers 202 with the backup id at once; progress
 * in {@code GET .../backups/{id}} and the {@code backup.*} events). A restore creates a NEW
 * cluster from the source's backups ({@code bootstrap.recovery}), submitted like a manifest.
 */
@RestController
@RequestMapping("/api/v1/clusters/{cluster}")
class BackupApiController {

    private static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{6}");
    private static final Set<String> RESTORE_FIELDS = Set.of("cluster", "targetTime", "backupID", "targetLSN", "targetName", "targetImmediate");

    private final PlatformView view;
    private final ClusterController clusters;
    private final BackupServiceClient backupService;

    BackupApiController(PlatformView view, ClusterController clusters, BackupServiceClient backupService) {
        this.view = view;
        this.clusters = clusters;
        this.backupService = backupService;
    }

    @ApiResponse(responseCode = "202", description = "base backup started ({backupId})")
    @ApiResponse(responseCode = "502", description = "the backup service refused the gateway")
    @PostMapping("/backups")
    ResponseEntity<String> backup(@PathVariable String cluster) {
        requireBackedUp(cluster);
        return forward("POST", "/backups/" + cluster);
    }

    @ApiResponse(responseCode = "200", description = "backups in progress and stored")
    @ApiResponse(responseCode = "502", description = "the backup service refused the gateway")
    @GetMapping("/backups")
    ResponseEntity<String> backups(@PathVariable String cluster) {
        requireBackedUp(cluster);
        return forward("GET", "/backups/" + cluster);
    }

    @ApiResponse(responseCode = "200", description = "one backup: phase, progress, sizes")
    @GetMapping("/backups/{backupId}")
    ResponseEntity<String> backup(@PathVariable String cluster, @PathVariable String backupId) {
        requireBackedUp(cluster);
        if (!BACKUP_ID.matcher(backupId).matches()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "'" + Names.printable(backupId) + "' is not a backup id (YYYYMMDDTHHMMSS)");
        }
        return forward("GET", "/backups/" + cluster + "/" + backupId);
    }

    /** WAL archiving of the cluster: archived, failed, last archived WAL and time, failing (the backup service's counters). */
    @ApiResponse(responseCode = "200", description = "archiving counters: archived, failed, lastArchivedWal, lastArchivedAt, failing")
    @ApiResponse(responseCode = "502", description = "the backup service refused the gateway")
    @GetMapping("/archiving")
    ResponseEntity<String> archiving(@PathVariable String cluster) {
        requireBackedUp(cluster);
        ResponseEntity<String> answer = forward("GET", "/archiving/" + cluster);
        if (answer.getStatusCode().value() == 404) {
            throw new ApiException(HttpStatus.NOT_FOUND, "cluster " + cluster + " has archived no WAL yet");
        }
        return answer;
    }

    /** {@code {"cluster": "<new>", "targetTime"?: "...", "backupID"?: "...", ...}} -> 201 with the new cluster's status. */
    @ApiResponse(responseCode = "201", description = "the new cluster was accepted; its status")
    @PostMapping("/restore")
    ResponseEntity<ClusterStatus> restore(@PathVariable String cluster, @RequestBody(required = false) String body) {
        requireBackedUp(cluster);
        if (body == null || body.isBlank() || body.length() > 4096) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "body must be JSON like {\"cluster\": \"" + cluster
                    + "-restored\", \"targetTime\": \"2026-11-25T10:15:30Z\"}");
        }
        Map<?, ?> fields;
        try {
            fields = Json.MAPPER.readValue(body, Map.class);
        } catch (RuntimeException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "body is not a JSON object");
        }
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            if (!RESTORE_FIELDS.contains(String.valueOf(e.getKey()))) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "unknown field '" + Names.printable(String.valueOf(e.getKey())) + "'");
            }
            boolean bool = "targetImmediate".equals(e.getKey());
            if (e.getValue() != null && (bool ? !(e.getValue() instanceof Boolean) : !(e.getValue() instanceof String))) {
                throw new ApiException(HttpStatus.BAD_REQUEST, e.getKey() + ": must be a " + (bool ? "boolean" : "string"));
            }
        }
        var request = new RestoreManifests.RestoreRequest((String) fields.get("cluster"), (String) fields.get("targetTime"),
                (String) fields.get("backupID"), (String) fields.get("targetLSN"), (String) fields.get("targetName"),
                (Boolean) fields.get("targetImmediate"));
        if (request.cluster() == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "cluster: the name of the new cluster is required");
        }
        ClusterManifest source = view.spec(cluster).orElseThrow().manifest();
        ClusterManifest restored = RestoreManifests.build(cluster, source, request);
        ManifestValidator.validate(restored); // 400 naming the field (e.g. spec.bootstrap.recovery.recoveryTarget.targetTime)
        return clusters.submitNew(restored);
    }

    private void requireBackedUp(String cluster) {
        if (!Names.CLUSTER.matcher(cluster).matches() || view.spec(cluster).isEmpty()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no cluster named '" + Names.printable(cluster) + "'");
        }
        var spec = view.spec(cluster).get().manifest().spec();
        if (spec == null || spec.backup() == null) {
            throw new ApiException(HttpStatus.CONFLICT, "cluster " + cluster + " has no spec.backup");
        }
    }

    private ResponseEntity<String> forward(String method, String path) {
        return backupService.call(method, path);
    }
}
