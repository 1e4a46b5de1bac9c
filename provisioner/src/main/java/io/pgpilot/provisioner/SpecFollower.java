package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.Map;

/**
 * Follows the specs topic from the beginning and hands each cluster to the reconciler (a null value
 * deletes the cluster). On start it first brings back the instances already on disk; on stop it
 * stops following, lets running steps end and stops every instance, keeping their data.
 */
public final class SpecFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SpecFollower.class);

    private final String bootstrapServers;
    private final ClusterReconciler reconciler;
    private TopicTailer tailer;
    private volatile boolean running;

    public SpecFollower(String bootstrapServers, ClusterReconciler reconciler) {
        this.bootstrapServers = bootstrapServers;
        this.reconciler = reconciler;
    }

    /** Handles one record of the specs topic. */
    void handle(String key, String value) {
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
        log.info("cluster={} generation {}: {} instances", key, record.generation(), desired.instances());
        reconciler.submit(desired);
    }

    @Override
    public void start() {
        reconciler.recoverAtStartup();
        tailer = new TopicTailer(bootstrapServers, "provisioner-specs", Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> handle(key, value)).start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (tailer != null) {
            tailer.close();
        }
        reconciler.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
