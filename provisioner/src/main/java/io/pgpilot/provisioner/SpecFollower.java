package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.Map;

/**
 * Follows the specs and topology topics from the beginning and hands each cluster to the reconciler
 * (a null spec deletes the cluster, a null topology clears it). On start it first brings back the instances already on disk; on stop it
 * stops following, lets running steps end and stops every instance, keeping their data.
 */
public final class SpecFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SpecFollower.class);

    private final String bootstrapServers;
    private final ClusterReconciler reconciler;
    private static final Duration TOPOLOGY_CATCH_UP = Duration.ofSeconds(30);

    private TopicTailer tailer;
    private TopicTailer topologyTailer;
    private volatile boolean running;

    public SpecFollower(String bootstrapServers, ClusterReconciler reconciler) {
        this.bootstrapServers = bootstrapServers;
        this.reconciler = reconciler;
    }

    /** Records read while replaying the specs topic at start-up: only the last one per cluster counts. */
    private final Object replay = new Object();
    private Map<String, String> replayed = new java.util.LinkedHashMap<>();
    private static final Duration SPECS_CATCH_UP = Duration.ofSeconds(60);

    /**
     * Handles one record of the specs topic. While the topic is replayed at start-up, only the
     * newest record per cluster is kept and applied once caught up: the history of a name
     * (create, delete, create again) must not be re-enacted, which would delete the current data.
     */
    void handle(String key, String value) {
        synchronized (replay) {
            if (replayed != null) {
                replayed.remove(key); // keep the order of the newest records
                replayed.put(key, value);
                return;
            }
        }
        apply(key, value);
    }

    /** Applies the newest record of each cluster read during the replay, then handles records as they come. */
    void replayed() {
        synchronized (replay) {
            Map<String, String> newest = replayed;
            replayed = null;
            if (newest != null) {
                log.info("specs replayed: {} clusters", newest.size());
                newest.forEach(this::apply);
            }
        }
    }

    private void apply(String key, String value) {
        if (key == null || !Names.CLUSTER.matcher(key).matches()) {
            log.warn("ignoring spec with invalid key '{}'", Names.printable(key));
            return;
        }
        if (value == null) {
            log.info("cluster={} tombstone: deleting", key);
            reconciler.submitDelete(key);
            return;
        }
        ClusterSpecRecord record = Json.read(value, ClusterSpecRecord.class);
        ClusterDefinition desired;
        try {
            desired = ManifestValidator.validate(record.manifest());
        } catch (ManifestException e) {
            log.warn("cluster={} generation {} rejected: {}", key, record.generation(), e.getMessage());
            return;
        }
        if (!desired.name().equals(key)) {
            log.warn("cluster={} ignoring spec whose manifest names cluster {}", key, desired.name());
            return;
        }
        restartRequest(key, record);
        log.info("cluster={} generation {}: {} instances (incarnation {})", key, record.generation(), desired.instances(),
                io.pgpilot.events.Incarnation.brief(record.uid()));
        reconciler.submit(desired, record.uid());
    }

    /** CloudNativePG's restart annotation (what {@code kubectl cnpg restart} and POST .../restart set). */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private void restartRequest(String cluster, ClusterSpecRecord record) {
        var metadata = record.manifest().metadata();
        String value = metadata == null || metadata.annotations() == null ? null : metadata.annotations().get(RESTARTED_AT);
        if (value == null) {
            return;
        }
        try {
            reconciler.restartRequested(cluster, java.time.Instant.parse(value));
        } catch (java.time.format.DateTimeParseException e) {
            log.warn("cluster={} ignoring annotation {}: not an ISO-8601 instant", cluster, RESTARTED_AT);
        }
    }

    /** Handles one record of the topology topic: the failover service's word on roles. */
    void handleTopology(String key, String value) {
        if (key == null || !Names.CLUSTER.matcher(key).matches()) {
            log.warn("ignoring topology with invalid key '{}'", Names.printable(key));
            return;
        }
        if (value == null) {
            reconciler.clearTopology(key);
            return;
        }
        Topology topology = Json.read(value, Topology.class);
        if (!key.equals(topology.cluster())) {
            log.warn("cluster={} ignoring topology that names cluster {}", key, Names.printable(topology.cluster()));
            return;
        }
        reconciler.applyTopology(topology);
    }

    /**
     * The topology first (caught up, bounded wait): start-up recovery must know who is primary so
     * that an old primary is never started as one; then the instances on disk, then the specs.
     */
    @Override
    public void start() {
        topologyTailer = new TopicTailer(bootstrapServers, "provisioner-topology", Map.of(Topics.TOPOLOGY, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> handleTopology(key, value)).start();
        try {
            if (!topologyTailer.awaitCaughtUp(TOPOLOGY_CATCH_UP)) {
                log.warn("topology topic not read within {} s: recovering instances from their data directories", TOPOLOGY_CATCH_UP.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reconciler.recoverAtStartup();
        reconciler.startPeriodicConvergence();
        tailer = new TopicTailer(bootstrapServers, "provisioner-specs", Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> handle(key, value)).start();
        try {
            if (!tailer.awaitCaughtUp(SPECS_CATCH_UP)) {
                log.warn("specs topic not read within {} s: applying what was read so far", SPECS_CATCH_UP.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replayed();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (tailer != null) {
            tailer.close();
        }
        if (topologyTailer != null) {
            topologyTailer.close();
        }
        reconciler.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
