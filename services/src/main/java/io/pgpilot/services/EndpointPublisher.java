package io.pgpilot.services;

import io.pgpilot.events.EndpointsRecord;

/** Where endpoint changes go (Kafka in the service). Implementations throw when they could not publish. */
public interface EndpointPublisher {

    void updated(EndpointsRecord record, ClusterRoutes routes);

    void deleted(String cluster);
}
