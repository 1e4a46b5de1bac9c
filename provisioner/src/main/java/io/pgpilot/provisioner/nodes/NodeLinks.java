package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.node.NodeOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * How the control plane reaches the registered nodes: one client per node (made again when the node
 * re-registers at another address or agent port), and never a call to a node that is silent on
 * {@code pgpilot.nodes}. Behind a network cut or on a frozen host every call would wait for its
 * timeouts (a request on a kept connection for the whole request timeout) and hold up what the
 * control plane does on the other nodes, e.g. the promotion of a replica while the primary's node
 * is isolated; a silent node's calls fail at once as {@link Reason#NODE_UNREACHABLE} (a retry helps).
 */
final class NodeLinks {

    private static final Logger log = LoggerFactory.getLogger(NodeLinks.class);

    /** A node's client, made for the record's address and labels (the agent's port). */
    private record Link(String address, Map<String, String> labels, NodeOperations ops) {
    }

    private final NodeDirectory nodes;
    private final Placer placer;
    private final Function<NodeRecord, NodeOperations> connect;
    private final Clock clock;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    /** Nodes whose last answer to an observation was none (said once when lost, once when back). */
    private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

    NodeLinks(NodeDirectory nodes, Placer placer, Function<NodeRecord, NodeOperations> connect, Clock clock) {
        this.nodes = nodes;
        this.placer = placer;
        this.connect = connect;
        this.clock = clock;
    }

    /** The registered address of {@code name}, whether it is heard from or not. */
    String address(String name) {
        return record(name).address();
    }

    /** The operations of a registered node heard from within the heartbeat timeout. */
    NodeOperations reachable(String name) {
        NodeRecord record = record(name);
        if (!placer.alive(name, nodes.views(), clock.instant())) {
            throw new ProvisioningException(Reason.NODE_UNREACHABLE, "node " + name
                    + " is silent (not heard from on pgpilot.nodes within the heartbeat timeout): not called until it is");
        }
        return links.compute(name, (n, l) -> l != null && l.address().equals(record.address()) && l.labels().equals(record.labels())
                ? l : new Link(record.address(), record.labels(), connect.apply(record))).ops();
    }

    private NodeRecord record(String name) {
        return nodes.record(name).orElseThrow(() ->
                new ProvisioningException(Reason.NODE_UNREACHABLE, "node " + name + " is not registered (topic pgpilot.nodes)"));
    }

    /**
     * What each node of the cluster reports, only for the ordinals {@code assigned} to it (a stale
     * copy elsewhere is ignored). A node that does not answer (or is silent) leaves its instances
     * out: unknown, neither running nor stopped; one lost node must not stop the others' convergence.
     */
    <T> Map<Integer, T> perNode(String cluster, Map<Integer, String> assigned, Function<NodeOperations, Map<Integer, T>> ask) {
        Map<Integer, T> result = new TreeMap<>();
        for (String name : new TreeSet<>(assigned.values())) {
            Map<Integer, T> answer;
            try {
                answer = ask.apply(reachable(name));
                if (unreachable.remove(name)) {
                    log.info("cluster={} node {} answers again", cluster, name);
                }
            } catch (ProvisioningException e) {
                if (!e.reason().retryHelps()) {
                    throw e;
                }
                if (unreachable.add(name)) {
                    log.warn("cluster={} node {} does not answer, its instances are unknown until it does: {}", cluster, name,
                            e.getMessage());
                }
                continue;
            }
            answer.forEach((ordinal, value) -> {
                if (name.equals(assigned.get(ordinal))) {
                    result.put(ordinal, value);
                }
            });
        }
        return result;
    }
}
