package io.pgpilot.failover;

import io.pgpilot.events.Topology;

/** What the decider concluded for one cluster in one pass. */
public sealed interface Decision {

    record Unchanged() implements Decision {
    }

    /** Waiting on purpose (lease not expired, failover delay, no candidate yet): said once, for people. */
    record Waiting(String why) implements Decision {
    }

    /** Publish {@code next} (its epoch is above every epoch used before). */
    record PublishTopology(Topology next, Kind kind, String message) implements Decision {
    }

    /** A command that needed no change (already in effect): idempotent replays end here. */
    record AlreadyDone(String commandId, String message) implements Decision {
    }

    /** A command that cannot be carried out, with the reason to give back. */
    record Rejected(String commandId, String reason) implements Decision {
    }

    /** Something only a person should resolve, e.g. two instances claiming to be primary at first election. */
    record Conflict(String message) implements Decision {
    }

    enum Kind {
        ELECTION("primary.elected"), MEMBERSHIP("topology.changed"), FAILOVER("failover.started"),
        SWITCHOVER("switchover.started"), FENCE("instance.fencing"), UNFENCE("instance.unfencing");

        private final String eventType;

        Kind(String eventType) {
            this.eventType = eventType;
        }

        public String eventType() {
            return eventType;
        }
    }
}
