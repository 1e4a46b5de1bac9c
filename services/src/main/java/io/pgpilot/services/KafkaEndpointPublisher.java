package io.pgpilot.services;

import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Publishes endpoints to {@link Topics#ENDPOINTS} (compacted, key cluster) and a platform event to {@link Topics#EVENTS}. */
public final class KafkaEndpointPublisher implements EndpointPublisher {

    private final EventBus bus;

    public KafkaEndpointPublisher(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public void updated(EndpointsRecord record, ClusterRoutes routes) {
        bus.publish(Topics.ENDPOINTS, record.cluster(), record);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("host", record.host());
        data.put("rwPort", record.rwPort());
        data.put("roPort", record.roPort());
        data.put("rPort", record.rPort());
        data.put("topologyEpoch", record.topologyEpoch());
        data.put("rw", names(routes.rw()));
        data.put("ro", names(routes.ro()));
        data.put("r", names(routes.r()));
        bus.publish(Topics.EVENTS, record.cluster(), PlatformEvent.of("services", "endpoints.updated", record.cluster(), null, data));
    }

    @Override
    public void deleted(String cluster) {
        bus.tombstone(Topics.ENDPOINTS, cluster);
        bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("services", "endpoints.deleted", cluster, null, Map.of()));
    }

    private static List<String> names(List<Server> servers) {
        return servers.stream().map(Server::name).toList();
    }
}
