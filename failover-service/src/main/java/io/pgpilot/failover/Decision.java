package io.pgpilot.failover;

import io.pgpilot.events.Topology;

/** What the decider concluded for one cluster in one pass. */
public sealed interface Decision {

    record Unchanged() implements Decision {
    }

    /** Publish {@code next} (its epoch is above every epoch used before). */
    record PublishTopology(Topology next, String eventType, String message) implements Decision {
    }

    /** Something only a person should resolve, e.g. two instances claiming to be primary at first election. */
    record Conflict(String message) implements Decision {
    }
}
