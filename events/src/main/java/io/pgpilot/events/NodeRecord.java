package io.pgpilot.events;

import java.time.Instant;
import java.util.Map;

/**
 * A host that can run PostgreSQL instances, as its node agent registers it (key: node name). The
 * agent re-publishes it as its heartbeat; {@code heartbeatAt} is the agent's clock at publishing.
 *
 * @param capacity how many instances the node may run at most (0: cordoned, nothing new is placed)
 * @param zone     failure domain (rack, room, site); empty when the node has none
 */
public record NodeRecord(String name, String address, String zone, Map<String, String> labels, int capacity,
                         Instant registeredAt, Instant heartbeatAt) {

    public NodeRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        zone = zone == null ? "" : zone;
    }
}
