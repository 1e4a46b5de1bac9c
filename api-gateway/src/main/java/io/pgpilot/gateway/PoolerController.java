package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.Names;
import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerManifest;
import io.pgpilot.model.PoolerValidator;
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
 * {@code /api/v1/poolers}: CloudNativePG {@code Pooler} manifests (YAML or JSON). Validated strictly
 * (the cluster must exist; {@code spec.cluster.name} cannot change) before one record is published on
 * the compacted pooler specs topic; the services module runs PgBouncer for it.
 */
@RestController
@RequestMapping("/api/v1/poolers")
class PoolerController {

    private static final Logger log = LoggerFactory.getLogger(PoolerController.class);

    private final PoolerView poolers;
    private final PlatformView platform;
    private final EventBus bus;
    private final Object writes = new Object();

    PoolerController(PoolerView poolers, PlatformView platform, EventBus bus) {
        this.poolers = poolers;
        this.platform = platform;
        this.bus = bus;
    }

    @Operation(summary = "create a pooler from a manifest", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "a CloudNativePG Pooler manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "201", description = "accepted; the pooler's status")
    @ApiResponse(responseCode = "413", description = "manifest larger than 64 KiB")
    @ApiResponse(responseCode = "415", description = "not application/yaml or application/json")
    @PostMapping
    ResponseEntity<PoolerStatus> create(HttpServletRequest request) throws IOException {
        PoolerManifest manifest = ManifestParser.parse(ManifestBody.read(request), PoolerManifest.class);
        PoolerDefinition definition = validate(manifest);
        synchronized (writes) {
            if (poolers.spec(definition.name()).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, "pooler " + definition.name() + " already exists");
            }
            publish(definition, new PoolerSpecRecord(manifest, 1, Instant.now()));
        }
        log.info("pooler={} cluster={} accepted: {} {} instance(s), {} mode", definition.name(), definition.cluster(),
                definition.type().suffix(), definition.instances(), definition.poolMode().pgbouncerName());
        announce(definition, "pooler.accepted");
        return ResponseEntity.created(URI.create("/api/v1/poolers/" + definition.name())).body(status(definition.name()));
    }

    @Operation(summary = "update a pooler", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the whole Pooler manifest (application/yaml or application/json, at most 64 KiB)", content = {@Content(mediaType = "application/yaml"), @Content(mediaType = "application/json")}))
    @ApiResponse(responseCode = "200", description = "accepted; the pooler's status")
    @PutMapping("/{name}")
    ResponseEntity<PoolerStatus> update(@PathVariable String name, HttpServletRequest request) throws IOException {
        requireName(name);
        PoolerManifest manifest = ManifestParser.parse(ManifestBody.read(request), PoolerManifest.class);
        PoolerDefinition definition = validate(manifest);
        if (!definition.name().equals(name)) {
            throw new ManifestException("metadata.name", "must match the pooler in the path (" + name + ")");
        }
        synchronized (writes) {
            PoolerSpecRecord current = poolers.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "pooler " + name + " does not exist"));
            String cluster = current.manifest().spec().cluster().name();
            if (!cluster.equals(definition.cluster())) {
                throw new ManifestException("spec.cluster.name", "cannot change (pooler " + name + " serves " + cluster + ")");
            }
            publish(definition, new PoolerSpecRecord(manifest, current.generation() + 1, Instant.now()));
        }
        announce(definition, "pooler.updated");
        return ResponseEntity.ok(status(name));
    }

    @ApiResponse(responseCode = "200", description = "every pooler's status")
    @GetMapping
    List<PoolerStatus> list() {
        return poolers.specs().keySet().stream().sorted().map(this::status).toList();
    }

    @ApiResponse(responseCode = "200", description = "the pooler's status")
    @GetMapping("/{name}")
    PoolerStatus get(@PathVariable String name) {
        requireName(name);
        return status(name);
    }

    @ApiResponse(responseCode = "202", description = "deletion requested")
    @DeleteMapping("/{name}")
    ResponseEntity<Map<String, String>> delete(@PathVariable String name) {
        requireName(name);
        PoolerDefinition definition;
        synchronized (writes) {
            PoolerSpecRecord current = poolers.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "pooler " + name + " does not exist"));
            definition = PoolerValidator.validate(current.manifest());
            bus.tombstone(Topics.POOLER_SPECS, name);
            poolers.accepted(name, null);
        }
        announce(definition, "pooler.deleting");
        return ResponseEntity.accepted().body(Map.of("pooler", name, "status", "deleting"));
    }

    private PoolerDefinition validate(PoolerManifest manifest) {
        PoolerDefinition definition = PoolerValidator.validate(manifest);
        if (platform.spec(definition.cluster()).isEmpty()) {
            throw new ManifestException("spec.cluster.name", "cluster " + definition.cluster() + " does not exist");
        }
        return definition;
    }

    private void publish(PoolerDefinition definition, PoolerSpecRecord record) {
        bus.publish(Topics.POOLER_SPECS, definition.name(), record);
        poolers.accepted(definition.name(), record);
    }

    private PoolerStatus status(String name) {
        PoolerSpecRecord spec = poolers.spec(name)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "pooler " + name + " does not exist"));
        return PoolerStatus.of(PoolerValidator.validate(spec.manifest()), spec, poolers.status(name).orElse(null));
    }

    private void announce(PoolerDefinition pooler, String type) {
        try {
            bus.publish(Topics.EVENTS, pooler.cluster(), PlatformEvent.of("api-gateway", type, pooler.cluster(), null,
                    Map.of("pooler", pooler.name())));
        } catch (EventBus.PublishException e) {
            log.warn("pooler={} event {} not published: {}", pooler.name(), type, e.getMessage());
        }
    }

    private static void requireName(String name) {
        if (!Names.CLUSTER.matcher(name).matches()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no pooler named '" + Names.printable(name) + "'");
        }
    }
}
