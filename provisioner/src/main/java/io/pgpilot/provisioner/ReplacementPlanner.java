package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which of a cluster's instances on lost nodes are created again elsewhere now (pure). An instance
 * on a lost node is re-created, under its own name, as a fresh replica cloned from the topology
 * primary, except:
 * <ul>
 *   <li>the topology primary itself: never re-created (that would be a second history); the failover
 *       service first makes another instance primary, then the old one is an ordinary replica here;</li>
 *   <li>any instance while the primary's node is lost too (nothing to clone from before a failover);</li>
 *   <li>an instance the topology fences (it is meant to stay down);</li>
 *   <li>an instance beyond the desired count (the scale-down removes it, it is not re-created).</li>
 * </ul>
 */
public final class ReplacementPlanner {

    /** What to do with one instance on a lost node. */
    public sealed interface Decision {
        int ordinal();

        String lostNode();
    }

    /** Re-create it elsewhere as a replica of {@code primaryOrdinal}. */
    public record Recreate(int ordinal, String lostNode, int primaryOrdinal) implements Decision {
    }

    /** Leave it assigned to its lost node for now. */
    public record Hold(int ordinal, String lostNode, String reason) implements Decision {
    }

    private ReplacementPlanner() {
    }

    /**
     * @param topology    the topology in force
     * @param desired     the desired number of instances
     * @param onLostNodes the cluster's instances whose node is lost: ordinal -> node
     */
    public static List<Decision> plan(Topology topology, int desired, Map<Integer, String> onLostNodes) {
        int primary = ClusterReconciler.ordinalOf(topology.cluster(), topology.primary());
        List<String> fenced = topology.fenced() == null ? List.of() : topology.fenced();
        List<Decision> decisions = new ArrayList<>();
        onLostNodes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            int ordinal = entry.getKey();
            String node = entry.getValue();
            String instance = io.pgpilot.model.Names.instanceName(topology.cluster(), ordinal);
            if (ordinal == primary) {
                decisions.add(new Hold(ordinal, node, "the topology primary (epoch " + topology.epoch()
                        + "): re-created only as a replica after the failover service made another instance primary"));
            } else if (primary == 0 || onLostNodes.containsKey(primary)) {
                decisions.add(new Hold(ordinal, node, "the primary " + topology.primary() + " is lost too: nothing to clone from"));
            } else if (fenced.contains(instance)) {
                decisions.add(new Hold(ordinal, node, "fenced by the topology"));
            } else if (ordinal > desired) {
                decisions.add(new Hold(ordinal, node, "beyond the " + desired + " desired instances"));
            } else {
                decisions.add(new Recreate(ordinal, node, primary));
            }
        });
        return List.copyOf(decisions);
    }
}
