package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.util.ArrayList;
import java.util.List;

/**
 * Every Kubernetes object of one cluster except its owner, in the order they are applied (what a
 * Pod mounts exists before the Pod). Never print it: the Secrets carry credentials.
 */
public record ClusterObjects(String cluster, ConfigMap instanceManagerConfig, List<Secret> secrets,
                             List<PersistentVolumeClaim> claims, List<Pod> pods, List<Service> services,
                             PodDisruptionBudget disruptionBudget) {

    public ClusterObjects {
        secrets = List.copyOf(secrets);
        claims = List.copyOf(claims);
        pods = List.copyOf(pods);
        services = List.copyOf(services);
    }

    public List<HasMetadata> all() {
        List<HasMetadata> all = new ArrayList<>();
        all.add(instanceManagerConfig);
        all.addAll(secrets);
        all.addAll(claims);
        all.addAll(pods);
        all.addAll(services);
        all.add(disruptionBudget);
        return all;
    }

    @Override
    public String toString() {
        return "ClusterObjects[cluster=" + cluster + ", " + all().size() + " objects]";
    }
}
