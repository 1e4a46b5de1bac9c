package io.pgpilot.instance.heartbeat;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Publishes heartbeats on its own thread so that a slow or absent Kafka never slows the probes
 * (self-fencing depends on them). Keeps only the newest heartbeat per instance; reports each one
 * Kafka accepted.
 */
public final class HeartbeatOutbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatOutbox.class);

    private final EventBus bus;
    private final Consumer<Heartbeat> accepted;
    private final Map<String, Heartbeat> pending = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failing;

    public HeartbeatOutbox(EventBus bus, Consumer<Heartbeat> accepted) {
        this.bus = bus;
        this.accepted = accepted;
        this.thread = Thread.ofPlatform().name("heartbeat-publisher").daemon().start(this::run);
    }

    public void offer(Heartbeat heartbeat) {
        pending.put(Topics.instanceKey(heartbeat.cluster(), heartbeat.instance()), heartbeat);
        synchronized (this) {
            notifyAll();
        }
    }

    private void run() {
        while (running) {
            synchronized (this) {
                if (pending.isEmpty()) {
                    try {
                        wait(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            for (String key : pending.keySet()) {
                Heartbeat heartbeat = pending.remove(key);
                if (heartbeat == null) {
                    continue;
                }
                try {
                    bus.publish(Topics.HEARTBEATS, heartbeat.cluster(), heartbeat);
                    accepted.accept(heartbeat);
                    if (failing) {
                        failing = false;
                        log.info("cluster={} instance={} heartbeats accepted by Kafka again", heartbeat.cluster(), heartbeat.instance());
                    }
                } catch (EventBus.PublishException e) {
                    if (!failing) {
                        failing = true;
                        log.warn("cluster={} instance={} heartbeat not accepted by Kafka: {}", heartbeat.cluster(),
                                heartbeat.instance(), e.getMessage());
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
