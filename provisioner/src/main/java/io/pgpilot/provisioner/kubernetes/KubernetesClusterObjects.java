package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The thin adapter: applies the {@link ClusterObjectsRenderer rendered} objects of a cluster through
 * the API server, idempotently (create what is missing; read-modify-update only the fields pgpilot
 * owns, with the read resourceVersion so a concurrent writer gets a 409 instead of a lost update),
 * moves the role labels when the topology changes, grows PVCs when their storage class allows it and
 * deletes a cluster's objects. Logs name clusters and objects, never values; failures are
 * {@link KubernetesObjectsException} (retryable or not).
 */
public final class KubernetesClusterObjects {

    private static final Logger log = LoggerFactory.getLogger(KubernetesClusterObjects.class);
    static final String DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

    private final KubernetesClient client;

    public KubernetesClusterObjects(KubernetesClient client) {
        this.client = client;
    }

    /** Brings the cluster's objects to the spec; a second run with the same spec changes nothing. */
    public ApplyReport apply(KubernetesClusterSpec spec) {
        spec.validate();
        String cluster = spec.cluster();
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        ConfigMap owner = ClusterObjectsRenderer.owner(spec);
        ConfigMap existingOwner = call(cluster, "get", owner, () -> client.resource(owner).get());
        if (existingOwner == null) {
            existingOwner = call(cluster, "create", owner, () -> client.resource(owner).create());
            created.add(id(owner));
        } else if (!Objects.equals(existingOwner.getData(), owner.getData())) {
            existingOwner.setData(owner.getData());
            ConfigMap changed = existingOwner;
            existingOwner = call(cluster, "update", owner, () -> client.resource(changed).update());
            updated.add(id(owner));
        } else {
            unchanged.add(id(owner));
        }
        ClusterObjects objects = ClusterObjectsRenderer.render(spec, existingOwner.getMetadata().getUid());
        for (HasMetadata desired : objects.all()) {
            HasMetadata existing = call(cluster, "get", desired, () -> client.resource(desired).get());
            if (existing == null) {
                call(cluster, "create", desired, () -> client.resource(desired).create());
                created.add(id(desired));
                continue;
            }
            String refusal = ObjectMerge.refusal(desired, existing, this::expandable);
            if (refusal != null) {
                refused.add(id(desired) + ": " + refusal);
            } else if (ObjectMerge.merge(desired, existing)) {
                call(cluster, "update", desired, () -> client.resource(existing).update());
                updated.add(id(desired));
            } else {
                unchanged.add(id(desired));
            }
        }
        ApplyReport report = new ApplyReport(created, updated, unchanged, refused);
        log.info("cluster={} namespace={} kubernetes objects applied: created={} updated={} unchanged={} refused={}", cluster,
                spec.namespace(), created, updated, unchanged.size(), refused);
        return report;
    }

    /**
     * Moves the role labels to {@code primary} (failover or switchover): the old primary is labelled
     * replica first, then the new one primary, so {@code <cluster>-rw} never selects two pods (for a
     * moment it selects none). Returns the pods whose labels changed.
     */
    public List<String> setPrimary(String namespace, String cluster, String primary) {
        List<Pod> pods = call(cluster, "list", "Pod", cluster, () -> client.pods().inNamespace(namespace)
                .withLabel(Labels.CLUSTER, cluster).list().getItems());
        if (pods.stream().noneMatch(p -> p.getMetadata().getName().equals(primary))) {
            throw new InvalidClusterObjectsException("primary", "no pod '" + io.pgpilot.model.Names.printable(primary)
                    + "' in cluster '" + cluster + "'");
        }
        List<String> changed = new ArrayList<>();
        List<Pod> ordered = new ArrayList<>(pods.stream().filter(p -> !p.getMetadata().getName().equals(primary)).toList());
        ordered.addAll(pods.stream().filter(p -> p.getMetadata().getName().equals(primary)).toList());
        for (Pod pod : ordered) {
            String name = pod.getMetadata().getName();
            String role = name.equals(primary) ? Labels.PRIMARY : Labels.REPLICA;
            if (role.equals(pod.getMetadata().getLabels().get(Labels.INSTANCE_ROLE)) && role.equals(pod.getMetadata().getLabels().get(Labels.ROLE))) {
                continue;
            }
            call(cluster, "label", "Pod", name, () -> client.pods().inNamespace(namespace).withName(name).edit(p -> {
                p.getMetadata().getLabels().put(Labels.INSTANCE_ROLE, role);
                p.getMetadata().getLabels().put(Labels.ROLE, role);
                return p;
            }));
            changed.add(name);
        }
        log.info("cluster={} namespace={} primary label on {} (changed: {})", cluster, namespace, primary, changed);
        return changed;
    }

    /**
     * Deletes the cluster: the owner object with foreground propagation (the garbage collector
     * removes what it owns), then every object labelled for the cluster explicitly, so nothing
     * is left where no garbage collector runs or an owner reference was removed. PVCs go too: the data is deleted.
     */
    public void delete(String namespace, String cluster) {
        io.pgpilot.model.Names.requireCluster(cluster);
        String owner = ClusterObjectsRenderer.ownerName(cluster);
        call(cluster, "delete", "ConfigMap", owner, () -> client.configMaps().inNamespace(namespace).withName(owner)
                .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
        var labels = Labels.cluster(cluster);
        call(cluster, "delete", "Pod", "*", () -> client.pods().inNamespace(namespace).withLabels(labels).delete());
        call(cluster, "delete", "Service", "*", () -> client.services().inNamespace(namespace).withLabels(labels).delete());
        call(cluster, "delete", "PodDisruptionBudget", "*", () -> client.policy().v1().podDisruptionBudget().inNamespace(namespace)
                .withLabels(labels).delete());
        call(cluster, "delete", "Secret", "*", () -> client.secrets().inNamespace(namespace).withLabels(labels).delete());
        call(cluster, "delete", "PersistentVolumeClaim", "*", () -> client.persistentVolumeClaims().inNamespace(namespace)
                .withLabels(labels).delete());
        call(cluster, "delete", "ConfigMap", "*", () -> client.configMaps().inNamespace(namespace).withLabels(labels).delete());
        log.info("cluster={} namespace={} kubernetes objects deleted", cluster, namespace);
    }

    /** Null when the class allows expansion, else why not ({@code storageClassName} null: the cluster's default class). */
    String expandable(String storageClassName) {
        StorageClass storageClass;
        if (storageClassName == null) {
            storageClass = client.storage().v1().storageClasses().list().getItems().stream()
                    .filter(c -> c.getMetadata().getAnnotations() != null
                            && "true".equals(c.getMetadata().getAnnotations().get(DEFAULT_CLASS_ANNOTATION)))
                    .findFirst().orElse(null);
            if (storageClass == null) {
                return "no storage class named and no default storage class: cannot tell whether it allows expansion";
            }
        } else {
            storageClass = client.storage().v1().storageClasses().withName(storageClassName).get();
            if (storageClass == null) {
                return "storage class '" + storageClassName + "' does not exist";
            }
        }
        return Boolean.TRUE.equals(storageClass.getAllowVolumeExpansion()) ? null
                : "storage class '" + storageClass.getMetadata().getName() + "' does not allow volume expansion (allowVolumeExpansion is not true)";
    }

    static String id(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }

    private static <T> T call(String cluster, String verb, HasMetadata object, Supplier<T> action) {
        return call(cluster, verb, object.getKind(), object.getMetadata().getName(), action);
    }

    private static <T> T call(String cluster, String verb, String kind, String name, Supplier<T> action) {
        try {
            return action.get();
        } catch (KubernetesClientException e) {
            // the client's message may quote the server's answer about the object: not passed on
            throw new KubernetesObjectsException(cluster, verb, kind, name, e.getCode());
        }
    }
}
