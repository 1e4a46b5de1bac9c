package io.pgpilot.provisioner.placement;

import java.time.Duration;
import java.time.Instant;

/**
 * A node as the placer sees it at one moment: the last time its agent was heard from (the placer's
 * own receive time, so that clock skew between hosts does not matter), its zone and capacity.
 */
public record NodeView(String name, String zone, int capacity, Instant lastSeen) {

    public NodeView {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        zone = zone == null ? "" : zone;
    }

    /** Heard from within {@code heartbeatTimeout}: new instances may go there. */
    public boolean alive(Instant now, Duration heartbeatTimeout) {
        return !lastSeen.plus(heartbeatTimeout).isBefore(now);
    }

    /** Silent for longer than {@code lossGrace}: its instances are given up and placed elsewhere. */
    public boolean lost(Instant now, Duration lossGrace) {
        return lastSeen.plus(lossGrace).isBefore(now);
    }
}
