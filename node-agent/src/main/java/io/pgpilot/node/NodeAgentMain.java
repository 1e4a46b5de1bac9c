package io.pgpilot.node;

import io.pgpilot.instance.runtime.InvalidConfigException;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -cp ... io.pgpilot.node.NodeAgentMain <config.properties>} (or {@code PGPILOT_NODE_AGENT_CONFIG}):
 * one per host. No secret is ever an argument (the join token is in a 0600 file). Exit code 2 for
 * an unusable configuration (the message names the field), 1 when it cannot start otherwise.
 */
public final class NodeAgentMain {

    public static final String CONFIG_ENV = "PGPILOT_NODE_AGENT_CONFIG";

    private NodeAgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"));
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka",
                System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error"));
        String file = args.length > 0 ? args[0] : System.getenv(CONFIG_ENV);
        if (file == null || file.isBlank() || args.length > 1) {
            System.err.println("usage: NodeAgentMain <config.properties> (or " + CONFIG_ENV + "=<file>)");
            System.exit(2);
        }
        NodeAgentConfig config;
        String token;
        try {
            config = NodeAgentConfig.load(Path.of(file).toAbsolutePath());
            token = NodeAgentConfig.joinToken(config.joinTokenFile());
        } catch (InvalidConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        NodeAgent agent;
        try {
            agent = NodeAgent.start(config, token);
        } catch (RuntimeException e) {
            System.err.println("node=" + config.name() + " cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
