package io.pgpilot.provisioner.placement;

/** What the placer decided for one instance of a cluster. */
public sealed interface PlacementDecision {

    String instance();

    /** The instance stays where it is. */
    record Keep(String instance, String node) implements PlacementDecision {
    }

    /** A new instance goes to {@code node}. */
    record Place(String instance, String node) implements PlacementDecision {
    }

    /**
     * The instance's node has been lost for longer than the grace period: a new instance of the same
     * name is cloned on {@code node}; the old one must never come back as it was (it rejoins only
     * through pg_rewind or a new clone if its node returns).
     */
    record Replace(String instance, String lostNode, String node) implements PlacementDecision {
    }

    /** The instance's node is silent but still within its grace period: nothing moves yet. */
    record Wait(String instance, String node, String reason) implements PlacementDecision {
    }

    /** No node can take the instance under the rules; it stays unplaced and the reason is reported. */
    record Unplaceable(String instance, String reason) implements PlacementDecision {
    }
}
