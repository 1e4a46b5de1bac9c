package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.MemberState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inventory records of the topology convergence: published when an instance's phase or message
 * changes (the periodic pass stays quiet), with the incarnation of the topology being converged.
 */
final class ConvergenceRecords {

    private static final Logger log = LoggerFactory.getLogger(ConvergenceRecords.class);
    private static final String SOURCE = ClusterReconciler.SOURCE;

    private final InstanceBackend postgres;
    private final InventoryPublisher publisher;
    private final Map<String, String> lastRecord = new ConcurrentHashMap<>();
    /** The incarnation of the topology being converged per cluster, for the inventory records. */
    private final Map<String, String> uids = new ConcurrentHashMap<>();

    ConvergenceRecords(InstanceBackend postgres, InventoryPublisher publisher) {
        this.postgres = postgres;
        this.publisher = publisher;
    }

    /** The incarnation the records of a cluster carry from now on (null: unchanged). */
    void incarnation(String cluster, String uid) {
        if (uid != null) {
            uids.put(cluster, uid);
        }
    }

    void forget(String cluster) {
        lastRecord.keySet().removeIf(k -> k.startsWith(cluster + "/"));
        uids.remove(cluster);
    }

    void fail(InstanceLayout layout, int port, ConvergenceStep step, RuntimeException e) {
        String message = step.getClass().getSimpleName().toLowerCase() + " failed: " + e.getMessage();
        log.error("cluster={} instance={} {}", layout.cluster(), layout.instance(), message);
        record(layout, port, Phase.FAILED, message);
        publisher.event(PlatformEvent.of(SOURCE, "instance.failed", layout.cluster(), layout.instance(), Map.of("reason", message)));
    }

    /** Current records of instances this pass did not touch (a crash seen, a restart by someone else). */
    void publishRecords(Topology topology, Set<Integer> failed) {
        Set<String> fenced = new HashSet<>(topology.fenced() == null ? List.of() : topology.fenced());
        for (MemberState m : postgres.observeMembers(topology.cluster()).values()) {
            if (!m.initialized() || failed.contains(m.ordinal())) {
                continue;
            }
            InstanceLayout layout = postgres.layout(topology.cluster(), m.ordinal());
            if (m.running()) {
                record(layout, m.port(), Phase.RUNNING, m.standby() ? "replica" : "primary");
            } else if (fenced.contains(m.name())) {
                record(layout, m.port(), Phase.STOPPED, "fenced");
            } else if (!lastRecord.getOrDefault(layout.cluster() + "/" + layout.instance(), "").startsWith(Phase.STOPPED.name())) {
                record(layout, m.port(), Phase.STOPPED, "not running");
            }
        }
    }

    /** Publishes an inventory record when its phase or message changed (the periodic pass stays quiet). */
    void record(InstanceLayout layout, int port, Phase phase, String message) {
        String key = layout.cluster() + "/" + layout.instance();
        String value = phase + "|" + port + "|" + message;
        if (value.equals(lastRecord.put(key, value))) {
            return;
        }
        publisher.instance(new InstanceRecord(layout.cluster(), layout.instance(), layout.ordinal(), postgres.knownHost(layout), port,
                layout.pgdata().toString(), phase, Instant.now(), message, uids.get(layout.cluster())));
    }
}
