package io.pgpilot.instance.node;

import io.pgpilot.instance.layout.InstanceLayout;

/** One instance of a cluster as the control plane names it to a node: no host path in it. */
public record InstanceRef(String cluster, int ordinal) {

    public InstanceRef {
        if (cluster == null || !cluster.matches("[a-z0-9][-a-z0-9.]*")) {
            throw new IllegalArgumentException("not a cluster name: " + cluster);
        }
        if (ordinal < 1 || ordinal > 99) {
            throw new IllegalArgumentException("instance ordinal out of range (1..99): " + ordinal);
        }
    }

    public static InstanceRef of(InstanceLayout layout) {
        return new InstanceRef(layout.cluster(), layout.ordinal());
    }

    public String instance() {
        return cluster + "-" + ordinal;
    }
}
