package io.pgpilot.node;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes the node's {@link NodeRecord} on {@link Topics#NODES} (key: node name) at start and
 * every heartbeat interval, on its own thread: an absent Kafka never blocks the agent's HTTP side.
 * A rejected publish is logged once until Kafka takes one again.
 */
final class NodeRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

    private final Supplier<EventBus> busFactory;
    private final NodeAgentConfig config;
    private final Clock clock;
    private final Instant registeredAt;
    private final Thread thread;
    private volatile boolean running = true;

    NodeRegistration(Supplier<EventBus> busFactory, NodeAgentConfig config, Clock clock) {
        this.busFactory = busFactory;
        this.config = config;
        this.clock = clock;
        this.registeredAt = clock.instant();
        this.thread = Thread.ofPlatform().name("node-registration").daemon().start(this::run);
    }

    /** The record as published now (pure apart from the clock). */
    static NodeRecord record(NodeAgentConfig config, Instant registeredAt, Instant now) {
        Map<String, String> labels = config.publishedLabels();
        return new NodeRecord(config.name(), config.address(), config.zone(), labels, config.capacity(), registeredAt, now);
    }

    private void run() {
        boolean failing = false;
        try (EventBus bus = busFactory.get()) {
            while (running) {
                long started = System.nanoTime();
                try {
                    bus.publish(Topics.NODES, config.name(), record(config, registeredAt, clock.instant()));
                    if (failing) {
                        failing = false;
                        log.info("node={} registration accepted by Kafka again", config.name());
                    }
                } catch (EventBus.PublishException e) {
                    if (!failing) {
                        failing = true;
                        log.warn("node={} registration not accepted by Kafka: {}", config.name(), e.getMessage());
                    }
                }
                long left = config.heartbeatInterval().minusNanos(System.nanoTime() - started).toMillis();
                if (left > 0) {
                    Thread.sleep(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("node={} registration stopped: {}", config.name(), e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
