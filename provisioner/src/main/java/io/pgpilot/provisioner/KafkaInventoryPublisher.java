package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes inventory and events to Kafka. When Kafka does not take a record, it is kept (latest
 * state per instance key, a bounded queue of events) and retried in the background, in order.
 */
public final class KafkaInventoryPublisher implements InventoryPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaInventoryPublisher.class);
    private static final int MAX_PENDING_EVENTS = 10_000;

    private record Pending(String topic, String key, Object value) {
    }

    private final EventBus bus;
    private final Map<String, Pending> pendingInstances = new LinkedHashMap<>();
    private final Deque<Pending> pendingEvents = new ArrayDeque<>();
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("inventory-retry").daemon().factory());

    public KafkaInventoryPublisher(EventBus bus) {
        this.bus = bus;
        retry.scheduleWithFixedDelay(this::flush, 5, 5, TimeUnit.SECONDS);
    }

    @Override
    public void instance(InstanceRecord record) {
        send(new Pending(Topics.INSTANCES, Topics.instanceKey(record.cluster(), record.instance()), record), true);
    }

    @Override
    public void instanceRemoved(String cluster, String instance) {
        send(new Pending(Topics.INSTANCES, Topics.instanceKey(cluster, instance), null), true);
    }

    @Override
    public void event(PlatformEvent event) {
        send(new Pending(Topics.EVENTS, event.subject(), event), false);
    }

    @Override
    public void command(ClusterCommand command) {
        send(new Pending(Topics.COMMANDS, command.cluster(), command), false);
    }

    private synchronized void send(Pending p, boolean state) {
        if (state) {
            pendingInstances.remove(p.key());
        }
        // while Kafka is failing, queue without waiting: the background retry keeps the order
        if (pendingInstances.isEmpty() && pendingEvents.isEmpty() && tryPublish(p)) {
            return;
        }
        if (state) {
            pendingInstances.put(p.key(), p);
        } else {
            if (pendingEvents.size() >= MAX_PENDING_EVENTS) {
                pendingEvents.removeFirst();
            }
            pendingEvents.addLast(p);
        }
    }

    /** Retries what Kafka did not take yet; stops at the first failure to keep the order. */
    public synchronized void flush() {
        var it = pendingInstances.values().iterator();
        while (it.hasNext()) {
            if (!tryPublish(it.next())) {
                return;
            }
            it.remove();
        }
        while (!pendingEvents.isEmpty()) {
            if (!tryPublish(pendingEvents.peekFirst())) {
                return;
            }
            pendingEvents.removeFirst();
        }
    }

    public synchronized int pending() {
        return pendingInstances.size() + pendingEvents.size();
    }

    private boolean tryPublish(Pending p) {
        try {
            if (p.value() == null) {
                bus.tombstone(p.topic(), p.key());
            } else {
                bus.publish(p.topic(), p.key(), p.value());
            }
            return true;
        } catch (EventBus.PublishException e) {
            log.warn("Kafka did not take a record for {} on {}, will retry: {}", p.key(), p.topic(), e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        retry.shutdownNow();
    }
}
