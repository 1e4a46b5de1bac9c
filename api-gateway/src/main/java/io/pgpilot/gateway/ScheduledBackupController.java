package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.pgpilot.events.BackupObjectRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.ScheduledBackupSpecRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.model.BackupDefinitions;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.Names;
import io.pgpilot.model.ScheduledBackupManifest;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/scheduledbackups}: CloudNativePG {@code ScheduledBackup} manifests, validated
 * strictly (the cluster must exist and have {@code spec.backup}) and published on their compacted
 * topic; the backup service fires them. Deleting one with {@code backupOwnerReference: self} also
 * removes the Backup objects it created (never the stored backups).
 */
@RestController
@RequestMapping("/api/v1/scheduledbackups")
class ScheduledBackupController {

    private static final Logger log = LoggerFactory.getLogger(ScheduledBackupController.class);

    private final BackupObjectsView objects;
    private final PlatformView platform;
    private final EventBus bus;
    private final Object writes = new Object();

    ScheduledBackupController(BackupObjectsView objects, PlatformView platform, EventBus bus) {
        this.objects = objects;
        this.platform = platform;
        this.bus = bus;
    }

    @Operation(summary = "create a scheduled backup from a manifest", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "a CloudNativePG ScheduledBackup manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "201", description = "accepted; its status")
    @ApiResponse(responseCode = "409", description = "it exists already")
    @PostMapping
    ResponseEntity<ScheduledBackupStatus> create(HttpServletRequest request) throws IOException {
        ScheduledBackupManifest manifest = ManifestParser.parse(ManifestBody.read(request), ScheduledBackupManifest.class);
        BackupDefinitions.ScheduledBackup schedule = validate(manifest);
        synchronized (writes) {
            if (objects.schedule(schedule.name()).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, "scheduled backup " + schedule.name() + " already exists");
            }
            publish(schedule.name(), new ScheduledBackupSpecRecord(manifest, 1, Instant.now()));
        }
        log.info("cluster={} scheduled backup {} accepted: '{}'{}", schedule.cluster(), schedule.name(), schedule.schedule().expression(),
                schedule.suspend() ? " (suspended)" : "");
        announce(schedule, "scheduledbackup.accepted");
        return ResponseEntity.created(URI.create("/api/v1/scheduledbackups/" + schedule.name())).body(status(schedule.name()));
    }

    @Operation(summary = "update a scheduled backup", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "a CloudNativePG ScheduledBackup manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "200", description = "accepted; its status")
    @PutMapping("/{name}")
    ResponseEntity<ScheduledBackupStatus> update(@PathVariable String name, HttpServletRequest request) throws IOException {
        requireName(name);
        ScheduledBackupManifest manifest = ManifestParser.parse(ManifestBody.read(request), ScheduledBackupManifest.class);
        BackupDefinitions.ScheduledBackup schedule = validate(manifest);
        if (!schedule.name().equals(name)) {
            throw new ManifestException("metadata.name", "must match the scheduled backup in the path (" + name + ")");
        }
        synchronized (writes) {
            ScheduledBackupSpecRecord current = objects.schedule(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "scheduled backup " + name + " does not exist"));
            BackupDefinitions.ScheduledBackup before = BackupDefinitions.validate(current.manifest());
            if (!before.cluster().equals(schedule.cluster())) {
                throw new ManifestException("spec.cluster.name", "cannot change (scheduled backup " + name + " is of " + before.cluster() + ")");
            }
            publish(name, new ScheduledBackupSpecRecord(manifest, current.generation() + 1, current.acceptedAt()));
        }
        announce(schedule, "scheduledbackup.updated");
        return ResponseEntity.ok(status(name));
    }

    @ApiResponse(responseCode = "200", description = "every scheduled backup with its status")
    @GetMapping
    List<ScheduledBackupStatus> list() {
        return objects.schedules().keySet().stream().sorted().map(this::status).toList();
    }

    @ApiResponse(responseCode = "200", description = "its status")
    @GetMapping("/{name}")
    ScheduledBackupStatus get(@PathVariable String name) {
        requireName(name);
        return status(name);
    }

    @ApiResponse(responseCode = "200", description = "deleted (stored base backups stay)")
    @DeleteMapping("/{name}")
    ResponseEntity<Map<String, Object>> delete(@PathVariable String name) {
        requireName(name);
        BackupDefinitions.ScheduledBackup schedule;
        List<String> removed;
        synchronized (writes) {
            ScheduledBackupSpecRecord current = objects.schedule(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "scheduled backup " + name + " does not exist"));
            schedule = BackupDefinitions.validate(current.manifest());
            bus.tombstone(Topics.SCHEDULED_BACKUP_SPECS, name);
            objects.accepted(name, (ScheduledBackupSpecRecord) null);
            removed = "self".equals(schedule.backupOwnerReference()) ? removeBackupsOf(name) : List.of();
        }
        announce(schedule, "scheduledbackup.deleted");
        return ResponseEntity.ok(Map.of("scheduledBackup", name, "status", "deleted", "removedBackups", removed));
    }

    /** The Backup objects this schedule created (self-owned ones go with it); the stored backups stay. */
    private List<String> removeBackupsOf(String name) {
        List<String> names = objects.backups().entrySet().stream().filter(e -> name.equals(e.getValue().scheduledBackup()))
                .map(Map.Entry::getKey).sorted().toList();
        for (String backup : names) {
            bus.tombstone(Topics.BACKUP_OBJECTS, backup);
            objects.accepted(backup, (BackupObjectRecord) null);
        }
        return names;
    }

    private BackupDefinitions.ScheduledBackup validate(ScheduledBackupManifest manifest) {
        BackupDefinitions.ScheduledBackup schedule = BackupDefinitions.validate(manifest);
        BackupObjectController.requireBackedUp(platform, schedule.cluster());
        return schedule;
    }

    private void publish(String name, ScheduledBackupSpecRecord record) {
        bus.publish(Topics.SCHEDULED_BACKUP_SPECS, name, record);
        objects.accepted(name, record);
    }

    private ScheduledBackupStatus status(String name) {
        ScheduledBackupSpecRecord spec = objects.schedule(name)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "scheduled backup " + name + " does not exist"));
        return ScheduledBackupStatus.of(BackupDefinitions.validate(spec.manifest()), spec, objects.backups().entrySet(), Instant.now());
    }

    private void announce(BackupDefinitions.ScheduledBackup schedule, String type) {
        try {
            bus.publish(Topics.EVENTS, schedule.cluster(), PlatformEvent.of("api-gateway", type, schedule.cluster(), null,
                    Map.of("scheduledBackup", schedule.name(), "schedule", schedule.schedule().expression(), "suspend", schedule.suspend())));
        } catch (EventBus.PublishException e) {
            log.warn("scheduledbackup={} event {} not published: {}", schedule.name(), type, e.getMessage());
        }
    }

    private static void requireName(String name) {
        if (!Names.CLUSTER.matcher(name).matches()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no scheduled backup named '" + Names.printable(name) + "'");
        }
    }
}
