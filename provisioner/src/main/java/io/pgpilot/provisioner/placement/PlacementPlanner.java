package io.pgpilot.provisioner.placement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each instance of a cluster runs: pure, deterministic, no I/O. Rules, in order:
 * <ol>
 *   <li>an instance on a live node stays there (moving costs a clone; nothing is rebalanced);</li>
 *   <li>an instance whose node is silent stays assigned until the node has been silent longer than
 *       the loss grace ({@link PlacementDecision.Wait}); failover of a primary does not wait for this,
 *       it is the failover service's job;</li>
 *   <li>an instance whose node is lost (or deregistered) is replaced on another node;</li>
 *   <li>new and replaced instances go to live nodes with free capacity, never next to another instance
 *       of the same cluster (anti-affinity); with {@link AntiAffinity#PREFERRED} that rule gives way
 *       when no other node is left, with {@link AntiAffinity#REQUIRED} the instance stays unplaced
 *       (CloudNativePG's {@code podAntiAffinityType} preferred | required);</li>
 *   <li>among the candidates: the zone with the fewest instances of this cluster, then the node with
 *       the fewest instances of any cluster, then the name (so the result never depends on map order).</li>
 * </ol>
 */
public final class PlacementPlanner {

    public enum AntiAffinity { REQUIRED, PREFERRED }

    /**
     * @param heartbeatTimeout a node silent for longer takes no new instances
     * @param lossGrace        a node silent for longer has its instances placed elsewhere
     */
    public record Settings(Duration heartbeatTimeout, Duration lossGrace, AntiAffinity antiAffinity) {
        public Settings {
            if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
                throw new IllegalArgumentException("heartbeatTimeout must be positive");
            }
            if (lossGrace.compareTo(heartbeatTimeout) < 0) {
                throw new IllegalArgumentException("lossGrace must be at least heartbeatTimeout");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofMinutes(5), AntiAffinity.PREFERRED);
        }
    }

    private final Settings settings;

    public PlacementPlanner(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param instances the cluster's desired instance names, in creation order
     * @param current   where the cluster's instances are placed today (instance -> node)
     * @param nodes     every registered node
     * @param load      instances of every cluster per node today (this cluster's included)
     */
    public List<PlacementDecision> plan(List<String> instances, Map<String, String> current, List<NodeView> nodes,
                                        Map<String, Integer> load, Instant now) {
        Map<String, NodeView> byName = new HashMap<>();
        nodes.forEach(node -> byName.put(node.name(), node));
        Map<String, Integer> used = new HashMap<>(load);
        Map<String, Integer> clusterOnNode = new HashMap<>();
        Map<String, Integer> clusterInZone = new HashMap<>();
        Map<String, PlacementDecision> decided = new LinkedHashMap<>();
        List<String> toPlace = new ArrayList<>();
        Map<String, String> lostNodeOf = new HashMap<>();

        for (String instance : instances) {
            String nodeName = current.get(instance);
            NodeView node = nodeName == null ? null : byName.get(nodeName);
            if (nodeName == null) {
                toPlace.add(instance);
            } else if (lost(node, now)) {
                lostNodeOf.put(instance, nodeName);
                toPlace.add(instance);
            } else {
                decided.put(instance, node.alive(now, settings.heartbeatTimeout())
                        ? new PlacementDecision.Keep(instance, nodeName)
                        : new PlacementDecision.Wait(instance, nodeName, "node " + nodeName + " silent since "
                        + node.lastSeen() + ", replaced after " + settings.lossGrace().toSeconds() + " s"));
                clusterOnNode.merge(nodeName, 1, Integer::sum);
                clusterInZone.merge(node.zone(), 1, Integer::sum);
            }
        }

        for (String instance : toPlace) {
            Optional<NodeView> chosen = choose(nodes, used, clusterOnNode, clusterInZone, now);
            String lost = lostNodeOf.get(instance);
            if (chosen.isEmpty()) {
                decided.put(instance, new PlacementDecision.Unplaceable(instance, whyNot(nodes, used, now)));
                continue;
            }
            NodeView node = chosen.get();
            decided.put(instance, lost == null ? new PlacementDecision.Place(instance, node.name())
                    : new PlacementDecision.Replace(instance, lost, node.name()));
            used.merge(node.name(), 1, Integer::sum);
            clusterOnNode.merge(node.name(), 1, Integer::sum);
            clusterInZone.merge(node.zone(), 1, Integer::sum);
        }
        return instances.stream().map(decided::get).toList();
    }

    /**
     * The instances among {@code current} (instance -> node) whose node is lost: deregistered, or
     * silent for longer than the loss grace; instance -> lost node, in the order of {@code current}.
     * The same rule as {@link #plan}'s {@link PlacementDecision.Replace}.
     */
    public Map<String, String> lost(Map<String, String> current, List<NodeView> nodes, Instant now) {
        Map<String, NodeView> byName = new HashMap<>();
        nodes.forEach(node -> byName.put(node.name(), node));
        Map<String, String> result = new LinkedHashMap<>();
        current.forEach((instance, node) -> {
            if (lost(byName.get(node), now)) {
                result.put(instance, node);
            }
        });
        return result;
    }

    /** Heard from within the heartbeat timeout (a registered node that takes new instances and answers). */
    public boolean alive(String node, List<NodeView> nodes, Instant now) {
        return nodes.stream().anyMatch(view -> view.name().equals(node) && view.alive(now, settings.heartbeatTimeout()));
    }

    private boolean lost(NodeView node, Instant now) {
        return node == null || node.lost(now, settings.lossGrace());
    }

    private Optional<NodeView> choose(List<NodeView> nodes, Map<String, Integer> used, Map<String, Integer> clusterOnNode,
                                      Map<String, Integer> clusterInZone, Instant now) {
        List<NodeView> free = nodes.stream()
                .filter(node -> node.alive(now, settings.heartbeatTimeout()))
                .filter(node -> used.getOrDefault(node.name(), 0) < node.capacity())
                .toList();
        List<NodeView> apart = free.stream().filter(node -> clusterOnNode.getOrDefault(node.name(), 0) == 0).toList();
        List<NodeView> candidates = !apart.isEmpty() || settings.antiAffinity() == AntiAffinity.REQUIRED ? apart : free;
        return candidates.stream().min(Comparator
                .comparingInt((NodeView node) -> clusterInZone.getOrDefault(node.zone(), 0))
                .thenComparingInt(node -> clusterOnNode.getOrDefault(node.name(), 0))
                .thenComparingInt(node -> used.getOrDefault(node.name(), 0))
                .thenComparing(NodeView::name));
    }

    private String whyNot(List<NodeView> nodes, Map<String, Integer> used, Instant now) {
        long alive = nodes.stream().filter(node -> node.alive(now, settings.heartbeatTimeout())).count();
        long withRoom = nodes.stream().filter(node -> node.alive(now, settings.heartbeatTimeout()))
                .filter(node -> used.getOrDefault(node.name(), 0) < node.capacity()).count();
        if (alive == 0) {
            return "no live node (" + nodes.size() + " registered)";
        }
        if (withRoom == 0) {
            return "no live node has free capacity (" + alive + " live)";
        }
        return "anti-affinity is required and every live node with free capacity (" + withRoom
                + ") already runs an instance of this cluster";
    }
}
