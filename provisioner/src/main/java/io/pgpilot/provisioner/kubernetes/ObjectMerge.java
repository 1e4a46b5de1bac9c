package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.Function;

/**
 * Pure: how an existing object is brought to the rendered one. Only the fields pgpilot owns are
 * written (labels, owner references, data, selectors, ports, budget, requested size), so what the
 * API server filled in (a Service's clusterIP, a bound PVC's volumeName) is kept.
 */
final class ObjectMerge {

    private ObjectMerge() {
    }

    /** Why the existing object cannot be brought to the desired one in place; null when it can. */
    static String refusal(HasMetadata desired, HasMetadata existing, Function<String, String> expandable) {
        if (desired instanceof Secret d && existing instanceof Secret e && !Objects.equals(d.getType(), e.getType())) {
            return "exists with type '" + e.getType() + "', not " + d.getType() + " (the type is immutable: delete the Secret to have it recreated)";
        }
        if (desired instanceof PersistentVolumeClaim d && existing instanceof PersistentVolumeClaim e) {
            BigDecimal want = Quantity.getAmountInBytes(size(d));
            BigDecimal have = Quantity.getAmountInBytes(size(e));
            if (want.compareTo(have) < 0) {
                return "requested " + size(d) + " is smaller than the claim's " + size(e) + " (Kubernetes cannot shrink a volume)";
            }
            if (want.compareTo(have) > 0) {
                return expandable.apply(e.getSpec().getStorageClassName());
            }
        }
        if (desired instanceof Pod d && existing instanceof Pod e) {
            Container want = d.getSpec().getContainers().getFirst();
            Container have = e.getSpec().getContainers().isEmpty() ? null : e.getSpec().getContainers().getFirst();
            if (have == null || !Objects.equals(want.getImage(), have.getImage()) || !Objects.equals(want.getResources(), have.getResources())) {
                return "the running pod's image or resources differ from the manifest; pods are not recreated yet (no rolling update on Kubernetes)";
            }
        }
        return null;
    }

    /** Writes the owned fields of {@code desired} into {@code existing}; true when anything changed. */
    static boolean merge(HasMetadata desired, HasMetadata existing) {
        boolean changed = false;
        if (!Objects.equals(desired.getMetadata().getOwnerReferences(), existing.getMetadata().getOwnerReferences())) {
            existing.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
            changed = true;
        }
        java.util.Map<String, String> wanted = new java.util.LinkedHashMap<>(desired.getMetadata().getLabels());
        if (desired instanceof Pod && existing.getMetadata().getLabels() != null
                && existing.getMetadata().getLabels().containsKey(Labels.INSTANCE_ROLE)) {
            // roles move only through setPrimary (the Topology's epoch order), never back by re-applying an older spec
            wanted.put(Labels.INSTANCE_ROLE, existing.getMetadata().getLabels().get(Labels.INSTANCE_ROLE));
            wanted.put(Labels.ROLE, existing.getMetadata().getLabels().get(Labels.INSTANCE_ROLE));
        }
        if (!Objects.equals(wanted, existing.getMetadata().getLabels())) {
            java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
            if (existing.getMetadata().getLabels() != null) {
                labels.putAll(existing.getMetadata().getLabels());
            }
            labels.putAll(wanted);
            if (!labels.equals(existing.getMetadata().getLabels())) {
                existing.getMetadata().setLabels(labels);
                changed = true;
            }
        }
        switch (desired) {
            case ConfigMap d when existing instanceof ConfigMap e && !Objects.equals(d.getData(), e.getData()) -> {
                e.setData(d.getData());
                changed = true;
            }
            case Secret d when existing instanceof Secret e && !Objects.equals(d.getData(), e.getData()) -> {
                e.setData(d.getData());
                changed = true;
            }
            case Service d when existing instanceof Service e
                    && (!Objects.equals(d.getSpec().getSelector(), e.getSpec().getSelector())
                    || !Objects.equals(d.getSpec().getPorts(), e.getSpec().getPorts())) -> {
                e.getSpec().setSelector(d.getSpec().getSelector());
                e.getSpec().setPorts(d.getSpec().getPorts());
                changed = true;
            }
            case PodDisruptionBudget d when existing instanceof PodDisruptionBudget e
                    && (!Objects.equals(d.getSpec().getSelector(), e.getSpec().getSelector())
                    || !Objects.equals(d.getSpec().getMaxUnavailable(), e.getSpec().getMaxUnavailable())) -> {
                e.getSpec().setSelector(d.getSpec().getSelector());
                e.getSpec().setMaxUnavailable(d.getSpec().getMaxUnavailable());
                changed = true;
            }
            case PersistentVolumeClaim d when existing instanceof PersistentVolumeClaim e
                    && Quantity.getAmountInBytes(size(d)).compareTo(Quantity.getAmountInBytes(size(e))) != 0 -> {
                e.getSpec().getResources().getRequests().put("storage", size(d));
                changed = true;
            }
            default -> {
            }
        }
        return changed;
    }

    static Quantity size(PersistentVolumeClaim claim) {
        return claim.getSpec().getResources().getRequests().get("storage");
    }
}
