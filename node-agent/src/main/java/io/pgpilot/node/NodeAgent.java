package io.pgpilot.node;

import io.pgpilot.events.EventBus;
import io.pgpilot.instance.node.LocalNodeOperations;
import io.pgpilot.instance.node.wire.NodeAgentServer;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * One node agent: the node's instance operations ({@link LocalNodeOperations}) served to the control
 * plane by a {@link NodeAgentServer} on the node address, the node's registration on Kafka, and an
 * instance manager process beside every instance of the node ({@link InstanceManagers}).
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    private final NodeAgentServer server;
    private final NodeRegistration registration;
    private final InstanceManagers managers;

    private NodeAgent(NodeAgentServer server, NodeRegistration registration, InstanceManagers managers) {
        this.server = server;
        this.registration = registration;
        this.managers = managers;
    }

    public static NodeAgent start(NodeAgentConfig config, String joinToken) {
        OsUser user = OsUser.forPostgres(config.osUser() != null ? config.osUser() : OsUser.DEFAULT_UNPRIVILEGED);
        PostgresBinaries binaries = config.pgBinDirectory() != null ? new PostgresBinaries(config.pgBinDirectory()) : PostgresBinaries.detect();
        LocalNodeOperations node = new LocalNodeOperations(binaries, user, config.home(), config.basePort(), config.address());
        NodeAgentServer server = NodeAgentServer.start(node, config.address(), config.httpPort(), joinToken);
        NodeRegistration registration = new NodeRegistration(
                () -> new EventBus(config.kafkaBootstrapServers(), "node-agent-" + config.name(), Duration.ofSeconds(5)), config,
                Clock.systemUTC());
        InstanceManagers managers = InstanceManagers.start(node, new ManagerLaunch.ManagerSettings(config.kafkaBootstrapServers(),
                config.instanceHeartbeatInterval(), config.probeTimeout(), config.selfFenceTimeout()), config.home());
        log.info("node agent up: name={} http={}:{} home={} os-user={}", config.name(), config.address(), server.port(), config.home(),
                user.name());
        return new NodeAgent(server, registration, managers);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        managers.close();
        registration.close();
        server.close();
    }
}
