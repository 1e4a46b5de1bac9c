package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.PlatformEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what the reconciler published, as the compacted topic would (latest per key, tombstones remove). */
final class RecordingPublisher implements InventoryPublisher {

    final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    final List<String> tombstones = new CopyOnWriteArrayList<>();
    final List<PlatformEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void instance(InstanceRecord record) {
        instances.put(record.instance(), record);
    }

    @Override
    public void instanceRemoved(String cluster, String instance) {
        instances.remove(instance);
        tombstones.add(instance);
    }

    @Override
    public void event(PlatformEvent event) {
        events.add(event);
    }

    Optional<PlatformEvent> lastEvent(String type) {
        return events.reversed().stream().filter(e -> e.type().equals(PlatformEvent.PREFIX + type)).findFirst();
    }
}
