package io.pgpilot.services.pooler;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Pooler statuses on {@link Topics#POOLER_STATUS} (compacted, key pooler) and pooler events on {@link Topics#EVENTS}. */
public final class KafkaPoolerPublisher implements PoolerSupervisor.Publisher {

    private static final Logger log = LoggerFactory.getLogger(KafkaPoolerPublisher.class);

    private final EventBus bus;

    public KafkaPoolerPublisher(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public void status(PoolerStatusRecord status) {
        bus.publish(Topics.POOLER_STATUS, status.pooler(), status);
    }

    @Override
    public void deleted(String pooler, String cluster) {
        bus.tombstone(Topics.POOLER_STATUS, pooler);
        if (cluster != null) {
            event(cluster, "pooler.deleted", Map.of("pooler", pooler));
        }
    }

    @Override
    public void event(String cluster, String type, Map<String, Object> data) {
        try {
            bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("services", type, cluster, null, data));
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} event {} not published: {}", cluster, type, e.getMessage());
        }
    }
}
