package io.pgpilot.provisioner.nodes;

import io.pgpilot.model.Names;
import io.pgpilot.provisioner.StaleCopy;
import io.pgpilot.provisioner.placement.NodeView;
import io.pgpilot.provisioner.placement.PlacementDecision;
import io.pgpilot.provisioner.placement.PlacementPlanner;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: the placement decision for one instance about to be prepared, from every assignment of
 * every cluster ({@code <cluster>/<ordinal>} -> node), the nodes and the time. The cluster's other
 * assigned instances are planned with it, so anti-affinity and zone spreading see them; nothing
 * already placed on a live or merely silent node moves. Also which assigned instances sit on a lost
 * node (to be re-placed) and which stale copies of moved instances can be removed now.
 */
public final class Placer {

    private final PlacementPlanner planner;

    public Placer(PlacementPlanner planner) {
        this.planner = planner;
    }

    public PlacementDecision decide(String cluster, int ordinal, Map<String, String> assignments, List<NodeView> nodes, Instant now) {
        Map<String, String> current = new LinkedHashMap<>();
        Map<String, Integer> load = new HashMap<>();
        assignments.forEach((key, node) -> {
            load.merge(node, 1, Integer::sum);
            String owner = key.substring(0, key.lastIndexOf('/'));
            if (owner.equals(cluster)) {
                current.put(Names.instanceName(cluster, Integer.parseInt(key.substring(key.lastIndexOf('/') + 1))), node);
            }
        });
        String instance = Names.instanceName(cluster, ordinal);
        List<String> instances = new java.util.ArrayList<>(current.keySet().stream().sorted().toList());
        instances.remove(instance);
        instances.add(instance); // the others first: they keep their nodes, this one is placed around them
        List<PlacementDecision> decisions = planner.plan(instances, current, nodes, load, now);
        return decisions.getLast();
    }

    /** The cluster's assigned instances (ordinal -> node) whose node is lost: ordinal -> lost node. */
    public Map<Integer, String> lost(String cluster, Map<Integer, String> assigned, List<NodeView> nodes, Instant now) {
        Map<String, Integer> ordinals = new HashMap<>();
        Map<String, String> current = new LinkedHashMap<>();
        assigned.forEach((ordinal, node) -> {
            ordinals.put(Names.instanceName(cluster, ordinal), ordinal);
            current.put(Names.instanceName(cluster, ordinal), node);
        });
        Map<Integer, String> result = new TreeMap<>();
        planner.lost(current, nodes, now).forEach((instance, node) -> result.put(ordinals.get(instance), node));
        return result;
    }

    /** Whether {@code node} was heard from within the heartbeat timeout. */
    public boolean alive(String node, List<NodeView> nodes, Instant now) {
        return planner.alive(node, nodes, now);
    }

    /** The stale copies that can be removed now: those on nodes heard from within the heartbeat timeout. */
    public List<StaleCopy> removable(List<StaleCopy> copies, List<NodeView> nodes, Instant now) {
        return copies.stream().filter(copy -> alive(copy.node(), nodes, now)).toList();
    }
}
