package io.pgpilot.instance.runtime;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -Xmx64m -cp ... io.pgpilot.instance.runtime.InstanceManagerMain [config.properties]}:
 * one process per PostgreSQL instance. The configuration file is the argument or
 * {@code PGPILOT_INSTANCE_MANAGER_CONFIG}; no secret is ever an argument. Exit code 2 for an unusable
 * configuration (the message names the field), 1 when it cannot start otherwise.
 */
public final class InstanceManagerMain {

    public static final String CONFIG_ENV = "PGPILOT_INSTANCE_MANAGER_CONFIG";

    private InstanceManagerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietDefaults();
        String file = args.length > 0 ? args[0] : System.getenv(CONFIG_ENV);
        if (file == null || file.isBlank() || args.length > 1) {
            System.err.println("usage: InstanceManagerMain <config.properties> (or " + CONFIG_ENV + "=<file>)");
            System.exit(2);
        }
        InstanceManagerConfig config;
        try {
            config = InstanceManagerConfig.load(Path.of(file).toAbsolutePath());
        } catch (InvalidConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        InstanceManager manager;
        try {
            manager = InstanceManager.start(config);
        } catch (RuntimeException e) {
            System.err.println("cluster=" + config.cluster() + " instance=" + config.instance() + " cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        manager.kafkaClient().exceptionally(e -> {
            System.err.println("cluster=" + config.cluster() + " instance=" + config.instance()
                    + " cannot create the Kafka client: " + (e.getCause() == null ? e : e.getCause()).getMessage());
            System.exit(1);
            return null;
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    /** slf4j-simple: timestamps, and the Kafka client only on errors (an absent Kafka is logged once by the heartbeat publisher, not per reconnect). */
    private static void quietDefaults() {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"));
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka",
                System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error"));
    }
}
