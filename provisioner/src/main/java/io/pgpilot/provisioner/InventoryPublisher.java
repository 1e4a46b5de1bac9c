package io.pgpilot.provisioner;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.PlatformEvent;

/** Where the provisioner reports instance state and events (Kafka in the service, a recorder in tests). */
public interface InventoryPublisher {

    void instance(InstanceRecord record);

    /** The instance is gone: a tombstone for its inventory record. */
    void instanceRemoved(String cluster, String instance);

    void event(PlatformEvent event);

    /** A request to the failover service (a switchover for a rolling restart). */
    default void command(ClusterCommand command) {
        throw new UnsupportedOperationException("this publisher sends no commands");
    }
}
