package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Incarnation;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/clusters}: create, list, inspect, update and delete clusters. */
@RestController
@RequestMapping("/api/v1/clusters")
class ClusterController {

    private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

    private final PlatformView view;
    private final EventBus bus;
    private final Object writes = new Object();

    private final DatabaseView managed;

    private final io.pgpilot.support.PlatformProperties platform;

    private final BackupObjectsView backupObjects;

    ClusterController(PlatformView view, EventBus bus, DatabaseView managed, io.pgpilot.support.PlatformProperties platform,
                      BackupObjectsView backupObjects) {
        this.platform = platform;
        this.backupObjects = backupObjects;
        this.view = view;
        this.bus = bus;
        this.managed = managed;
    }

    @Operation(summary = "create a cluster from a manifest", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "a CloudNativePG Cluster manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "201", description = "accepted; the new cluster's status")
    @ApiResponse(responseCode = "413", description = "manifest larger than 64 KiB")
    @ApiResponse(responseCode = "415", description = "not application/yaml or application/json")
    @PostMapping
    ResponseEntity<ClusterStatus> create(HttpServletRequest request) throws IOException {
        return submitNew(readManifest(request));
    }

    /** Validates and publishes a new cluster's manifest (409 when the name exists). */
    ResponseEntity<ClusterStatus> submitNew(ClusterManifest manifest) {
        ClusterDefinition definition = ManifestValidator.validate(manifest);
        int longest = Names.maxClusterNameFor(platform.home().toAbsolutePath().toString());
        if (definition.name().length() > longest) {
            throw new io.pgpilot.model.ManifestException("metadata.name", "'" + definition.name() + "' is too long for this platform: "
                    + "its instances' Unix socket paths under " + platform.home().toAbsolutePath() + " would exceed PostgreSQL's "
                    + Names.MAX_SOCKET_PATH + " characters (at most " + longest + " characters here)");
        }
        ClusterSpecRecord record;
        synchronized (writes) {
            if (view.spec(definition.name()).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, "cluster " + definition.name() + " already exists");
            }
            record = new ClusterSpecRecord(manifest, 1, Instant.now(), Incarnation.newUid());
            bus.publish(Topics.SPECS, definition.name(), record);
            view.accepted(definition.name(), record);
        }
        log.info("cluster={} accepted: {} instances, incarnation {}", definition.name(), definition.instances(), record.uid());
        announce(definition.name(), "cluster.accepted", Map.of("generation", 1, "instances", definition.instances(), "uid", record.uid()));
        return ResponseEntity.created(URI.create("/api/v1/clusters/" + definition.name())).body(status(definition.name()));
    }

    @Operation(summary = "update a cluster (parameters, instances)", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the whole Cluster manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "200", description = "accepted; the cluster's status")
    @PutMapping("/{name}")
    ResponseEntity<ClusterStatus> update(@PathVariable String name, HttpServletRequest request) throws IOException {
        requireName(name);
        ClusterManifest manifest = readManifest(request);
        ClusterDefinition definition = ManifestValidator.validate(manifest);
        if (!definition.name().equals(name)) {
            throw new ManifestException("metadata.name", "must match the cluster in the path (" + name + ")");
        }
        synchronized (writes) {
            ClusterSpecRecord current = view.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "cluster " + name + " does not exist"));
            ClusterSpecRecord next = new ClusterSpecRecord(manifest, current.generation() + 1, Instant.now(), current.uid());
            bus.publish(Topics.SPECS, name, next);
            view.accepted(name, next);
        }
        announce(name, "cluster.updated", Map.of("instances", definition.instances()));
        return ResponseEntity.ok(status(name));
    }

    /** CloudNativePG's restart annotation, set by {@code kubectl cnpg restart}. */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    /**
     * A rolling restart of every instance (like {@code kubectl cnpg restart}): a new generation of
     * the spec with the restart annotation; the provisioner restarts the replicas one at a time,
     * then the primary per spec.primaryUpdateMethod.
     */
    @ApiResponse(responseCode = "202", description = "rolling restart requested")
    @PostMapping("/{name}/restart")
    ResponseEntity<Map<String, Object>> restart(@PathVariable String name) {
        requireName(name);
        Instant at = Instant.now();
        long generation;
        synchronized (writes) {
            ClusterSpecRecord current = view.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "cluster " + name + " does not exist"));
            ClusterManifest m = current.manifest();
            Map<String, String> annotations = new java.util.TreeMap<>(
                    m.metadata().annotations() == null ? Map.of() : m.metadata().annotations());
            annotations.put(RESTARTED_AT, at.toString());
            ClusterManifest next = new ClusterManifest(m.apiVersion(), m.kind(), new ClusterManifest.Metadata(
                    m.metadata().name(), m.metadata().namespace(), m.metadata().labels(), annotations), m.spec());
            ManifestValidator.validate(next);
            generation = current.generation() + 1;
            ClusterSpecRecord record = new ClusterSpecRecord(next, generation, at, current.uid());
            bus.publish(Topics.SPECS, name, record);
            view.accepted(name, record);
        }
        log.info("cluster={} rolling restart requested", name);
        announce(name, "cluster.restart_requested", Map.of("restartedAt", at.toString(), "generation", generation));
        return ResponseEntity.accepted().body(Map.of("cluster", name, "restartedAt", at.toString(), "generation", generation));
    }

    @ApiResponse(responseCode = "200", description = "every cluster's status")
    @GetMapping
    List<ClusterStatus> list() {
        return view.specs().keySet().stream().sorted().map(this::status).toList();
    }

    @ApiResponse(responseCode = "200", description = "the cluster's status")
    @GetMapping("/{name}")
    ClusterStatus get(@PathVariable String name) {
        requireName(name);
        return status(name);
    }

    @ApiResponse(responseCode = "202", description = "deletion requested")
    @DeleteMapping("/{name}")
    ResponseEntity<Map<String, String>> delete(@PathVariable String name) {
        requireName(name);
        synchronized (writes) {
            if (view.spec(name).isEmpty()) {
                throw new ApiException(HttpStatus.NOT_FOUND, "cluster " + name + " does not exist");
            }
            bus.tombstone(Topics.SPECS, name);
            view.accepted(name, null);
            // Backup objects of a schedule with backupOwnerReference: cluster go with the cluster (the stored backups stay)
            backupObjects.backups().forEach((backup, record) -> {
                if (name.equals(record.cluster()) && "cluster".equals(record.ownedBy())) {
                    bus.tombstone(Topics.BACKUP_OBJECTS, backup);
                    backupObjects.accepted(backup, (io.pgpilot.events.BackupObjectRecord) null);
                }
            });
        }
        log.info("cluster={} deletion requested", name);
        announce(name, "cluster.deleting", Map.of());
        return ResponseEntity.accepted().body(Map.of("cluster", name, "status", "deleting"));
    }

    private ClusterStatus status(String name) {
        ClusterSpecRecord spec = view.spec(name)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "cluster " + name + " does not exist"));
        ClusterDefinition definition = ManifestValidator.validate(spec.manifest());
        ClusterStatus status = ClusterStatusAssembler.assemble(spec, definition, view.topology(name), view.instances(name),
                view.heartbeats(name), view.endpoints(name), view.lastEvent(name), Instant.now());
        if (definition.roles().isEmpty()) {
            return status;
        }
        return status.withManagedRoles(managed.roles(name)
                .filter(r -> io.pgpilot.events.Incarnation.same(r.uid(), spec.uid()))
                .map(r -> new ClusterStatus.ManagedRolesStatus(r.reconciled(), r.failed().isEmpty() ? null : r.failed(), r.generation(),
                        r.generation() == spec.generation(), r.updatedAt()))
                .orElse(new ClusterStatus.ManagedRolesStatus(List.of(), null, 0, false, null)));
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
            throw new ApiException(HttpStatus.NOT_FOUND, "no cluster named '" + Names.printable(name) + "'");
        }
    }

    private static ClusterManifest readManifest(HttpServletRequest request) throws IOException {
        return ManifestParser.parse(ManifestBody.read(request));
    }
}
