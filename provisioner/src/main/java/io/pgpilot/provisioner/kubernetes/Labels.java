package io.pgpilot.provisioner.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels pgpilot puts on a cluster's Kubernetes objects, CloudNativePG's names (plus {@code role} for compatibility). */
public final class Labels {

    public static final String CLUSTER = "cnpg.io/cluster";
    public static final String INSTANCE_NAME = "cnpg.io/instanceName";
    public static final String INSTANCE_ROLE = "cnpg.io/instanceRole";
    /** The older label CloudNativePG still sets beside {@link #INSTANCE_ROLE}. */
    public static final String ROLE = "role";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "pgpilot";

    public static final String PRIMARY = "primary";
    public static final String REPLICA = "replica";

    private Labels() {
    }

    /** What every object of the cluster carries (the selector of {@code -r} and of the PodDisruptionBudget is {@link #CLUSTER} alone). */
    public static Map<String, String> cluster(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(CLUSTER, cluster);
        labels.put(MANAGED_BY, MANAGER);
        return labels;
    }

    public static Map<String, String> instance(String cluster, String instance, boolean primary) {
        Map<String, String> labels = cluster(cluster);
        labels.put(INSTANCE_NAME, instance);
        labels.put(INSTANCE_ROLE, primary ? PRIMARY : REPLICA);
        labels.put(ROLE, primary ? PRIMARY : REPLICA);
        return labels;
    }
}
