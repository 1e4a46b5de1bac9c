package io.pgpilot.provisioner;

import io.pgpilot.model.Names;

/**
 * What a node may still hold of an instance that was re-placed elsewhere after its node was lost:
 * instance {@code ordinal} of {@code cluster} on {@code node}. It must never start again; it is
 * removed from that node once the node is seen again.
 */
public record StaleCopy(String cluster, int ordinal, String node) {

    public String instance() {
        return Names.instanceName(cluster, ordinal);
    }
}
