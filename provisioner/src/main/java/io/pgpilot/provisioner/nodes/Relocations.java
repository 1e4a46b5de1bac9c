package io.pgpilot.provisioner.nodes;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.provisioner.StaleCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The I/O side of instances that move away from a lost node: which of a cluster's instances sit on
 * a lost node now ({@link Placer#lost}), and the removal of the stale copies that moved instances
 * left on their old node, once that node is heard from again ({@link Placer#removable}). The move
 * itself is an ordinary {@link NodesBackend#prepare} (its {@code Replace} decision), which records
 * the stale copy in the {@link PlacementBook}.
 */
final class Relocations {

    private static final Logger log = LoggerFactory.getLogger(Relocations.class);

    private final PlacementBook book;
    private final NodeDirectory nodes;
    private final Placer placer;
    private final Function<String, NodeOperations> node;
    private final Clock clock;
    /** Stale copies whose removal failed for a reason other than the node not answering (said once). */
    private final Set<StaleCopy> failing = ConcurrentHashMap.newKeySet();

    Relocations(PlacementBook book, NodeDirectory nodes, Placer placer, Function<String, NodeOperations> node, Clock clock) {
        this.book = book;
        this.nodes = nodes;
        this.placer = placer;
        this.node = node;
        this.clock = clock;
    }

    Map<Integer, String> onLostNodes(String cluster) {
        return placer.lost(cluster, book.cluster(cluster), nodes.views(), clock.instant());
    }

    /** Removes (stops first, then deletes) every stale copy of the cluster whose node is alive; returns those removed. */
    List<StaleCopy> removeStaleCopies(String cluster) {
        List<StaleCopy> removed = new ArrayList<>();
        for (StaleCopy copy : placer.removable(book.staleCopies(cluster), nodes.views(), clock.instant())) {
            try {
                node.apply(copy.node()).remove(new InstanceRef(copy.cluster(), copy.ordinal()));
            } catch (ProvisioningException e) {
                if (!e.reason().retryHelps() && failing.add(copy)) {
                    log.warn("cluster={} instance={} the stale copy on node {} cannot be removed yet: {}", cluster, copy.instance(),
                            copy.node(), e.getMessage());
                }
                continue;
            }
            failing.remove(copy);
            book.staleCopyRemoved(copy);
            log.info("cluster={} instance={} stale copy removed from node {}, which is back (the instance runs on node {})", cluster,
                    copy.instance(), copy.node(), book.node(cluster, copy.ordinal()));
            removed.add(copy);
        }
        return removed;
    }
}
