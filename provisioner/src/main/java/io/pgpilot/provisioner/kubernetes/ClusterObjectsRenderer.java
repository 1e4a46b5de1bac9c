package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.pgpilot.instance.Credentials;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure: a {@link KubernetesClusterSpec} to the Kubernetes objects of its cluster, the way
 * CloudNativePG shapes them. Everything is owned by one ConfigMap per cluster ({@link #owner}), so
 * deleting that object lets the garbage collector remove the rest. The spec is validated first: a bad
 * input renders nothing.
 */
public final class ClusterObjectsRenderer {

    public static final String SECRET_TYPE = "kubernetes.io/basic-auth";

    private ClusterObjectsRenderer() {
    }

    public static String ownerName(String cluster) {
        return cluster + "-pgpilot";
    }

    public static String secretName(String cluster, String kind) {
        return cluster + "-" + kind;
    }

    /** The owning object: created first, its uid goes into every other object's ownerReferences. */
    public static ConfigMap owner(KubernetesClusterSpec spec) {
        spec.validate();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("cluster", spec.cluster());
        data.put("uid", spec.uid());
        data.put("instances", String.valueOf(spec.definition().instances()));
        return new ConfigMapBuilder().withNewMetadata().withName(ownerName(spec.cluster())).withNamespace(spec.namespace())
                .withLabels(Labels.cluster(spec.cluster())).endMetadata().withData(data).build();
    }

    /** Everything else, owned by the owner object whose uid the API server gave. */
    public static ClusterObjects render(KubernetesClusterSpec spec, String ownerUid) {
        spec.validate();
        if (ownerUid == null || ownerUid.isBlank()) {
            throw new InvalidClusterObjectsException("ownerUid", "missing (create the owner object first)");
        }
        String cluster = spec.cluster();
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(ownerName(cluster))
                .withUid(ownerUid).withController(true).withBlockOwnerDeletion(true).build();
        String rw = cluster + "-rw";
        String database = spec.definition().database();
        Credentials app = spec.app();
        Map<String, String> appData = new LinkedHashMap<>();
        appData.put("username", app.username());
        appData.put("password", app.password());
        appData.put("dbname", database);
        appData.put("host", rw);
        appData.put("port", String.valueOf(InstancePods.POSTGRES_PORT));
        appData.put("uri", "postgresql://" + app.username() + ":" + app.password() + "@" + rw + ":" + InstancePods.POSTGRES_PORT + "/" + database);
        appData.put("jdbc-uri", "jdbc:postgresql://" + rw + ":" + InstancePods.POSTGRES_PORT + "/" + database + "?password="
                + app.password() + "&user=" + app.username());
        Map<String, String> superuserData = new LinkedHashMap<>();
        superuserData.put("username", spec.superuser().username());
        superuserData.put("password", spec.superuser().password());
        // the instance manager's credentials-file (InstanceManagerConfig)
        superuserData.put(InstancePods.CREDENTIALS_KEY, "{\"username\":\"" + json(spec.superuser().username()) + "\",\"password\":\""
                + json(spec.superuser().password()) + "\"}");
        Map<String, String> replicationData = new LinkedHashMap<>();
        replicationData.put("username", spec.replication().username());
        replicationData.put("password", spec.replication().password());
        return new ClusterObjects(cluster,
                InstancePods.configMap(spec, owner),
                java.util.List.of(secret(spec, "app", appData, owner), secret(spec, "superuser", superuserData, owner),
                        secret(spec, "replication", replicationData, owner)),
                InstancePods.names(spec).stream().map(i -> InstancePods.claim(spec, i, owner)).toList(),
                InstancePods.names(spec).stream().map(i -> InstancePods.pod(spec, i, owner)).toList(),
                java.util.List.of(service(spec, "rw", Labels.PRIMARY, owner), service(spec, "ro", Labels.REPLICA, owner),
                        service(spec, "r", null, owner)),
                disruptionBudget(spec, owner));
    }

    /** {@code <cluster>-rw} selects the primary, {@code -ro} the replicas, {@code -r} every instance; port 5432. */
    static Service service(KubernetesClusterSpec spec, String suffix, String role, OwnerReference owner) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(Labels.CLUSTER, spec.cluster());
        if (role != null) {
            selector.put(Labels.INSTANCE_ROLE, role);
        }
        return new ServiceBuilder().withNewMetadata().withName(spec.cluster() + "-" + suffix).withNamespace(spec.namespace())
                .withLabels(Labels.cluster(spec.cluster())).withOwnerReferences(owner).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector)
                .addNewPort().withName("postgres").withProtocol("TCP").withPort(InstancePods.POSTGRES_PORT)
                .withTargetPort(new IntOrString("postgresql")).endPort()
                .endSpec().build();
    }

    /** At most one instance down by a voluntary disruption (a drain) at a time. */
    static PodDisruptionBudget disruptionBudget(KubernetesClusterSpec spec, OwnerReference owner) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(spec.cluster()).withNamespace(spec.namespace())
                .withLabels(Labels.cluster(spec.cluster())).withOwnerReferences(owner).endMetadata()
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().addToMatchLabels(Labels.CLUSTER, spec.cluster()).endSelector().endSpec().build();
    }

    private static Secret secret(KubernetesClusterSpec spec, String kind, Map<String, String> values, OwnerReference owner) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(secretName(spec.cluster(), kind)).withNamespace(spec.namespace())
                .withLabels(Labels.cluster(spec.cluster())).withOwnerReferences(owner).endMetadata()
                .withType(SECRET_TYPE).withData(data).build();
    }

    private static String json(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
