package io.pgpilot.gateway;

import io.pgpilot.events.DatabaseSpecRecord;
import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ClusterManifest;
import io.pgpilot.model.DatabaseDefinition;
import io.pgpilot.model.DatabaseManifest;
import io.pgpilot.model.DatabaseValidator;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.Names;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.Scheduled;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/databases}: CloudNativePG {@code Database} manifests (YAML or JSON), validated
 * strictly (the cluster must exist, one manifest per database of a cluster, the cluster's bootstrap
 * database keeps its owner and cannot be dropped) before one record is published on the compacted
 * database specs topic; the provisioner reconciles it on the primary. Deleting a manifest with
 * {@code databaseReclaimPolicy: delete} first asks the provisioner to drop the database and removes
 * the manifest once it reports the drop (a finalizer, as on Kubernetes).
 */
@RestController
@RequestMapping("/api/v1/databases")
class DatabaseController {

    static final String DELETING = "pgpilot.io/deleting";
    private static final Logger log = LoggerFactory.getLogger(DatabaseController.class);

    private final DatabaseView databases;
    private final PlatformView platform;
    private final EventBus bus;
    private final Object writes = new Object();

    DatabaseController(DatabaseView databases, PlatformView platform, EventBus bus) {
        this.databases = databases;
        this.platform = platform;
        this.bus = bus;
    }

    @PostMapping
    ResponseEntity<DatabaseStatus> create(HttpServletRequest request) throws IOException {
        DatabaseManifest manifest = ManifestParser.parse(ManifestBody.read(request), DatabaseManifest.class);
        DatabaseDefinition definition = validate(manifest);
        synchronized (writes) {
            if (databases.spec(definition.name()).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, "database " + definition.name() + " already exists");
            }
            requireUnique(definition);
            publish(definition, new DatabaseSpecRecord(manifest, 1, Instant.now()));
        }
        log.info("database={} cluster={} accepted: {} owned by {}", definition.name(), definition.cluster(), definition.database(),
                definition.owner());
        announce(definition, "database.accepted");
        return ResponseEntity.created(URI.create("/api/v1/databases/" + definition.name())).body(status(definition.name()));
    }

    @PutMapping("/{name}")
    ResponseEntity<DatabaseStatus> update(@PathVariable String name, HttpServletRequest request) throws IOException {
        requireName(name);
        DatabaseManifest manifest = ManifestParser.parse(ManifestBody.read(request), DatabaseManifest.class);
        DatabaseDefinition definition = validate(manifest);
        if (!definition.name().equals(name)) {
            throw new ManifestException("metadata.name", "must match the database in the path (" + name + ")");
        }
        synchronized (writes) {
            DatabaseSpecRecord current = databases.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "database " + name + " does not exist"));
            DatabaseDefinition before = DatabaseValidator.validate(current.manifest());
            if (!before.cluster().equals(definition.cluster())) {
                throw new ManifestException("spec.cluster.name", "cannot change (database " + name + " is in " + before.cluster() + ")");
            }
            if (!before.database().equals(definition.database())) {
                throw new ManifestException("spec.name", "cannot change (it is " + before.database() + ")");
            }
            if (deleting(current)) {
                throw new ApiException(HttpStatus.CONFLICT, "database " + name + " is being deleted");
            }
            publish(definition, new DatabaseSpecRecord(manifest, current.generation() + 1, Instant.now()));
        }
        announce(definition, "database.updated");
        return ResponseEntity.ok(status(name));
    }

    @GetMapping
    List<DatabaseStatus> list() {
        return databases.specs().keySet().stream().sorted().map(this::status).toList();
    }

    @GetMapping("/{name}")
    DatabaseStatus get(@PathVariable String name) {
        requireName(name);
        return status(name);
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Map<String, String>> delete(@PathVariable String name) {
        requireName(name);
        DatabaseDefinition definition;
        synchronized (writes) {
            DatabaseSpecRecord current = databases.spec(name)
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "database " + name + " does not exist"));
            definition = DatabaseValidator.validate(current.manifest());
            if (!definition.reclaimDelete() || !definition.present() && dropped(name, current)) {
                bus.tombstone(Topics.DATABASE_SPECS, name);
                databases.accepted(name, null);
            } else if (!deleting(current)) {
                publish(definition, new DatabaseSpecRecord(markDeleting(current.manifest()), current.generation() + 1, Instant.now()));
            }
        }
        announce(definition, "database.deleting");
        return ResponseEntity.accepted().body(Map.of("database", name, "status", "deleting"));
    }

    /** The finalizer: manifests being deleted go once the provisioner reports their database dropped. */
    @Scheduled(fixedDelay = 1000)
    void finalizeDeletions() {
        synchronized (writes) {
            databases.specs().forEach((name, spec) -> {
                if (deleting(spec) && dropped(name, spec)) {
                    try {
                        bus.tombstone(Topics.DATABASE_SPECS, name);
                        databases.accepted(name, null);
                        log.info("database={} dropped by the provisioner; manifest removed", name);
                    } catch (EventBus.PublishException e) {
                        log.warn("database={} manifest not removed yet: {}", name, e.getMessage());
                    }
                }
            });
        }
    }

    private boolean dropped(String name, DatabaseSpecRecord spec) {
        return databases.status(name).filter(s -> s.generation() == spec.generation()
                && s.phase() == DatabaseStatusRecord.Phase.DROPPED).isPresent();
    }

    static boolean deleting(DatabaseSpecRecord spec) {
        var metadata = spec.manifest().metadata();
        return metadata != null && metadata.annotations() != null && "true".equals(metadata.annotations().get(DELETING));
    }

    /** The manifest with {@code ensure: absent} and the deleting mark: the provisioner drops the database. */
    private static DatabaseManifest markDeleting(DatabaseManifest m) {
        var md = m.metadata();
        Map<String, String> annotations = new HashMap<>(md.annotations() == null ? Map.of() : md.annotations());
        annotations.put(DELETING, "true");
        var s = m.spec();
        var spec = new DatabaseManifest.DatabaseSpec(s.cluster(), s.name(), s.owner(), "absent", s.encoding(), s.locale(), s.lcCollate(),
                s.lcCtype(), s.template(), s.connectionLimit(), s.allowConnections(), s.databaseReclaimPolicy(), s.extensions());
        return new DatabaseManifest(m.apiVersion(), m.kind(),
                new ClusterManifest.Metadata(md.name(), md.namespace(), md.labels(), annotations), spec);
    }

    private DatabaseDefinition validate(DatabaseManifest manifest) {
        DatabaseDefinition definition = DatabaseValidator.validate(manifest);
        if (manifest.metadata().annotations() != null && manifest.metadata().annotations().containsKey(DELETING)) {
            throw new ManifestException("metadata.annotations." + DELETING, "is set by pgpilot only");
        }
        var spec = platform.spec(definition.cluster())
                .orElseThrow(() -> new ManifestException("spec.cluster.name", "cluster " + definition.cluster() + " does not exist"));
        ClusterDefinition cluster = ManifestValidator.validate(spec.manifest());
        if (definition.database().equals(cluster.database())) {
            // the bootstrap database: pgpilot's app secret points at it
            if (!definition.owner().equals(cluster.owner())) {
                throw new ManifestException("spec.owner", "the bootstrap database " + cluster.database() + " is owned by " + cluster.owner());
            }
            if (!definition.present() || definition.reclaimDelete()) {
                throw new ManifestException("spec.ensure", "the bootstrap database " + cluster.database() + " cannot be dropped");
            }
        }
        return definition;
    }

    private void requireUnique(DatabaseDefinition definition) {
        databases.specs().forEach((name, spec) -> {
            var other = DatabaseValidator.validate(spec.manifest());
            if (other.cluster().equals(definition.cluster()) && other.database().equals(definition.database())) {
                throw new ApiException(HttpStatus.CONFLICT, "database " + definition.database() + " of cluster " + definition.cluster()
                        + " is already managed by " + name);
            }
        });
    }

    private void publish(DatabaseDefinition definition, DatabaseSpecRecord record) {
        bus.publish(Topics.DATABASE_SPECS, definition.name(), record);
        databases.accepted(definition.name(), record);
    }

    private DatabaseStatus status(String name) {
        DatabaseSpecRecord spec = databases.spec(name)
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "database " + name + " does not exist"));
        return DatabaseStatus.of(DatabaseValidator.validate(spec.manifest()), spec, databases.status(name).orElse(null));
    }

    private void announce(DatabaseDefinition database, String type) {
        try {
            bus.publish(Topics.EVENTS, database.cluster(), PlatformEvent.of("api-gateway", type, database.cluster(), null,
                    Map.of("database", database.name())));
        } catch (EventBus.PublishException e) {
            log.warn("database={} event {} not published: {}", database.name(), type, e.getMessage());
        }
    }

    private static void requireName(String name) {
        if (!Names.CLUSTER.matcher(name).matches()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no database named '" + Names.printable(name) + "'");
        }
    }
}
