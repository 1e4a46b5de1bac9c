package io.pgpilot.model;

import io.pgpilot.model.ManifestException.Violation;

import java.util.List;

/**
 * The checks every manifest of an object that belongs to a cluster (Pooler, Database) starts with:
 * apiVersion, kind, metadata.name and spec.cluster.name. Pure; violations are added, not thrown.
 */
final class ClusterObjectHeader {

    private ClusterObjectHeader() {
    }

    /** apiVersion, kind and metadata.name ({@code what}: the kind in words, for the message). */
    static void check(String apiVersion, String kind, String expectedKind, String name, String what, List<Violation> violations) {
        if (!ClusterManifest.API_VERSION.equals(apiVersion)) {
            violations.add(new Violation("apiVersion", "must be " + ClusterManifest.API_VERSION));
        }
        if (!expectedKind.equals(kind)) {
            violations.add(new Violation("kind", "must be " + expectedKind));
        }
        if (name == null) {
            violations.add(new Violation("metadata.name", "is required"));
        } else if (!Names.CLUSTER.matcher(name).matches()) {
            violations.add(new Violation("metadata.name", "'" + Names.printable(name) + "' is not a valid " + what
                    + " name (lower-case letters, digits and '-', starting with a letter, at most 50 characters)"));
        }
    }

    /** The cluster named by {@code spec.cluster.name}, null when missing or invalid (with the violation). */
    static String cluster(PoolerManifest.ClusterReference cluster, List<Violation> violations) {
        String clusterName = cluster == null ? null : cluster.name();
        if (clusterName == null) {
            violations.add(new Violation("spec.cluster.name", "is required"));
            return null;
        }
        if (!Names.CLUSTER.matcher(clusterName).matches()) {
            violations.add(new Violation("spec.cluster.name", "'" + Names.printable(clusterName) + "' is not a valid cluster name"));
            return null;
        }
        return clusterName;
    }
}
