package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.model.BackupDefinitions;
import io.pgpilot.model.BackupManifest;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.Names;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/backups}: CloudNativePG {@code Backup} manifests (YAML or JSON). Creating one
 * starts a base backup of the cluster at once (the backup service refuses while another one runs:
 * 409, and then no Backup object is kept); its status is the backup service's record of that base
 * backup. The base backups a ScheduledBackup fires appear here too, named
 * {@code <scheduledbackup>-<yyyyMMddHHmmss>}. Deleting a Backup object removes the object, never
 * the stored backup (the cluster's retention policy does that).
 */
@RestController
@RequestMapping("/api/v1/backups")
class BackupObjectController {

    private static final Logger log = LoggerFactory.getLogger(BackupObjectController.class);

    private final BackupObjectsView objects;
    private final PlatformView platform;
    private final BackupServiceClient backupService;
    private final EventBus bus;
    private final Object writes = new Object();

    BackupObjectController(BackupObjectsView objects, PlatformView platform, BackupServiceClient backupService, EventBus bus) {
        this.objects = objects;
        this.platform = platform;
        this.backupService = backupService;
        this.bus = bus;
    }

    @Operation(summary = "create a backup from a manifest", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "a CloudNativePG Backup manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "201", description = "accepted; its status")
    @ApiResponse(responseCode = "409", description = "it exists already or another base backup of the cluster is running")
    @PostMapping
    ResponseEntity<BackupObjectStatus> create(HttpServletRequest request) throws IOException {
        BackupManifest manifest = ManifestParser.parse(ManifestBody.read(request), BackupManifest.class);
        BackupDefinitions.BackupRequest backup = BackupDefinitions.validate(manifest);
        requireBackedUp(platform, backup.cluster());
        BackupObjectRecord record;
        synchronized (writes) {
            if (objects.backup(backup.name()).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, "backup " + backup.name() + " already exists");
            }
            ResponseEntity<String> started = backupService.call("POST", "/backups/" + backup.cluster()
                    + (backup.target() == null ? "" : "?target=" + backup.target()));
            if (!started.getStatusCode().is2xxSuccessful()) {
                throw new ApiException(HttpStatus.valueOf(started.getStatusCode().value()), message(started.getBody(),
                        "the backup service refused the backup"));
            }
            String backupId = String.valueOf(Json.read(started.getBody(), Map.class).get("backupId"));
            record = new BackupObjectRecord(manifest, backup.cluster(), backupId, null, "none", Instant.now());
            bus.publish(Topics.BACKUP_OBJECTS, backup.name(), record);
            objects.accepted(backup.name(), record);
        }
        log.info("cluster={} backup object {} started base backup {}", backup.cluster(), backup.name(), record.backupId());
        announce(backup.cluster(), "backup.requested", Map.of("backup", backup.name(), "backupId", record.backupId()));
        return ResponseEntity.created(URI.create("/api/v1/backups/" + backup.name())).body(status(backup.name()));
    }

    @ApiResponse(responseCode = "200", description = "every backup with its status")
    @GetMapping
    List<BackupObjectStatus> list() {
        return objects.backups().keySet().stream().sorted().map(this::status).toList();
    }

    @ApiResponse(responseCode = "200", description = "its status")
    @GetMapping("/{name}")
    BackupObjectStatus get(@PathVariable String name) {
        requireName(name);
        return status(name);
    }

    /** Removes the Backup object; the stored base backup stays until the cluster's retention policy removes it. */
    @ApiResponse(responseCode = "200", description = "deleted (stored base backups stay)")
    @DeleteMapping("/{name}")
    ResponseEntity<Map<String, String>> delete(@PathVariable String name) {
        requireName(name);
        synchronized (writes) {
            if (objects.backup(name).isEmpty()) {
                throw new ApiException(HttpStatus.NOT_FOUND, "backup " + name + " does not exist");
            }
            bus.tombstone(Topics.BACKUP_OBJECTS, name);
            objects.accepted(name, (BackupObjectRecord) null);
        }
        return ResponseEntity.ok(Map.of("backup", name, "status", "deleted"));
    }

    private BackupObjectStatus status(String name) {
        BackupObjectRecord record = objects.backup(name)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "backup " + name + " does not exist"));
        Map<?, ?> backup = null;
        if (record.backupId() != null && record.backupId().matches("[0-9]{8}T[0-9]{6}")) {
            ResponseEntity<String> answer = backupService.call("GET", "/backups/" + record.cluster() + "/" + record.backupId());
            if (answer.getStatusCode().is2xxSuccessful()) {
                backup = Json.read(answer.getBody(), Map.class);
            } else if (answer.getStatusCode().value() != 404) {
                throw new ApiException(HttpStatus.BAD_GATEWAY, message(answer.getBody(), "the backup service did not answer"));
            }
        }
        return BackupObjectStatus.of(name, record, backup);
    }

    /** 404 when the cluster does not exist, 409 when it has no {@code spec.backup}: the manifest names the field. */
    static void requireBackedUp(PlatformView platform, String cluster) {
        var spec = platform.spec(cluster)
                .orElseThrow(() -> new ManifestException("spec.cluster.name", "cluster " + cluster + " does not exist"));
        if (spec.manifest().spec() == null || spec.manifest().spec().backup() == null) {
            throw new ManifestException("spec.cluster.name", "cluster " + cluster + " has no spec.backup (no object store to back up to)");
        }
    }

    private static String message(String body, String fallback) {
        try {
            Object error = Json.read(body, Map.class).get("error");
            return error == null ? fallback : Names.printable(error.toString());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private void announce(String cluster, String type, Map<String, Object> data) {
        try {
            bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("api-gateway", type, cluster, null, data));
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} event {} not published: {}", cluster, type, e.getMessage());
        }
    }

    private static void requireName(String name) {
        if (!Names.CLUSTER.matcher(name).matches()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no backup named '" + Names.printable(name) + "'");
        }
    }
}
