package io.pgpilot.provisioner;

import io.pgpilot.events.Backoff;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import io.pgpilot.provisioner.ReplacementPlanner.Decision;
import io.pgpilot.provisioner.ReplacementPlanner.Hold;
import io.pgpilot.provisioner.ReplacementPlanner.Recreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Carries out {@link ReplacementPlanner}'s decisions at each convergence pass of a cluster (on its
 * thread): first the stale copies of instances moved earlier are removed from nodes that are back
 * ({@link InstanceBackend#removeStaleCopies}), then every instance of a lost node that may move is
 * created again as a replica of the topology primary ({@link InstanceSteps#createReplica}, whose
 * {@code prepare} places it on another node). A re-creation that fails (no spare node, clone
 * failed) is tried again after 2 s, doubling up to 60 s.
 */
final class LostInstanceReplacer {

    private static final Logger log = LoggerFactory.getLogger(LostInstanceReplacer.class);
    private static final String SOURCE = ClusterReconciler.SOURCE;
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));

    private record Attempts(int failed, long notBeforeNanos) {
    }

    private final InstanceBackend postgres;
    private final InstanceSteps steps;
    private final InventoryPublisher publisher;
    /** Per cluster, the holds said in the log (each said once while it lasts). */
    private final Map<String, Set<Hold>> held = new ConcurrentHashMap<>();
    /** Per {@code <cluster>/<ordinal>}, the failed re-creations in a row. */
    private final Map<String, Attempts> attempts = new ConcurrentHashMap<>();

    LostInstanceReplacer(InstanceBackend postgres, InstanceSteps steps, InventoryPublisher publisher) {
        this.postgres = postgres;
        this.steps = steps;
        this.publisher = publisher;
    }

    void step(Topology topology, ClusterDefinition desired) {
        String cluster = topology.cluster();
        for (StaleCopy copy : postgres.removeStaleCopies(cluster)) {
            publisher.event(PlatformEvent.of(SOURCE, "instance.stale_copy_removed", cluster, copy.instance(), Map.of("node", copy.node())));
        }
        Map<Integer, String> lost = postgres.onLostNodes(cluster);
        if (desired == null || lost.isEmpty()) {
            held.remove(cluster);
            return;
        }
        var decisions = ReplacementPlanner.plan(topology, desired.instances(), lost);
        Set<Hold> holds = decisions.stream().filter(Hold.class::isInstance).map(Hold.class::cast).collect(Collectors.toSet());
        Set<Hold> said = held.getOrDefault(cluster, Set.of());
        holds.stream().filter(h -> !said.contains(h)).forEach(h -> log.warn("cluster={} instance={} its node {} is lost; not re-created: {}",
                cluster, Names.instanceName(cluster, h.ordinal()), h.lostNode(), h.reason()));
        held.put(cluster, holds);
        for (Decision decision : decisions) {
            if (decision instanceof Recreate recreate) {
                recreate(topology, desired, recreate);
            }
        }
    }

    private void recreate(Topology topology, ClusterDefinition desired, Recreate recreate) {
        String cluster = desired.name();
        String instance = Names.instanceName(cluster, recreate.ordinal());
        String key = cluster + "/" + recreate.ordinal();
        Attempts before = attempts.get(key);
        if (before != null && System.nanoTime() < before.notBeforeNanos()) {
            return;
        }
        log.warn("cluster={} instance={} its node {} is lost (silent longer than the loss grace): re-creating it on another node "
                + "as a replica of {}", cluster, instance, recreate.lostNode(), topology.primary());
        long t = System.nanoTime();
        if (!steps.createReplica(desired, recreate.ordinal(), recreate.primaryOrdinal())) {
            int failed = before == null ? 1 : before.failed() + 1;
            Duration wait = BACKOFF.delay(failed);
            attempts.put(key, new Attempts(failed, System.nanoTime() + wait.toNanos()));
            log.warn("cluster={} instance={} not re-created (attempt {}), trying again in {} s", cluster, instance, failed, wait.toSeconds());
            return;
        }
        attempts.remove(key);
        long ms = (System.nanoTime() - t) / 1_000_000;
        String host = postgres.knownHost(postgres.layout(cluster, recreate.ordinal()));
        log.info("cluster={} instance={} re-created at {} in {} ms, replica of {}; the copy on node {} is stale", cluster, instance, host, ms,
                topology.primary(), recreate.lostNode());
        publisher.event(PlatformEvent.of(SOURCE, "instance.replaced", cluster, instance, Map.of("lostNode", recreate.lostNode(),
                "host", String.valueOf(host), "upstream", topology.primary(), "epoch", topology.epoch(), "durationMs", ms)));
    }

    /** Forgets a deleted cluster. */
    void forget(String cluster) {
        held.remove(cluster);
        attempts.keySet().removeIf(key -> key.startsWith(cluster + "/"));
    }
}
