package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.instance.node.wire.JoinToken;
import io.pgpilot.instance.node.wire.NodeAgentClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * How the placer reaches a node in production: the node agent's client at the node record's address
 * and its {@value #AGENT_PORT_LABEL} label, authenticated with the join token (never logged).
 */
public final class NodeAgentClients {

    /** The label a node agent publishes its HTTP port under (the node agent's {@code NodeAgentConfig.AGENT_PORT_LABEL}). */
    public static final String AGENT_PORT_LABEL = io.pgpilot.instance.node.wire.NodeAgentServer.AGENT_PORT_LABEL;

    private NodeAgentClients() {
    }

    public static Function<NodeRecord, NodeOperations> withToken(String joinToken, Duration connectTimeout, Duration requestTimeout) {
        return node -> new NodeAgentClient(node.address(), agentPort(node), joinToken, connectTimeout, requestTimeout);
    }

    static int agentPort(NodeRecord node) {
        String port = node.labels().get(AGENT_PORT_LABEL);
        try {
            int value = Integer.parseInt(port == null ? "" : port);
            if (value >= 1 && value <= 65535) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ProvisioningException(Reason.LAYOUT, "node " + node.name() + " has no valid " + AGENT_PORT_LABEL + " label");
    }

    /** The join token from its file: mode 0600 or stricter, one token of at least 16 printable characters ({@link JoinToken}). */
    public static String readJoinToken(Path file) {
        return JoinToken.read("provisioner", "pgpilot.provisioner.nodes.join-token-file", file);
    }
}
