package io.pgpilot.provisioner.kubernetes;

import java.util.List;

/**
 * What one pass did, object by object ({@code Kind/name}): created, updated, already as wanted, and
 * refused with the reason (a PVC whose storage class cannot expand, a shrink, a Pod whose spec
 * differs: pods are not recreated yet). Never carries a secret value.
 */
public record ApplyReport(List<String> created, List<String> updated, List<String> unchanged, List<String> refused) {

    public ApplyReport {
        created = List.copyOf(created);
        updated = List.copyOf(updated);
        unchanged = List.copyOf(unchanged);
        refused = List.copyOf(refused);
    }

    /** Nothing was changed (a re-run of a converged cluster). */
    public boolean noChange() {
        return created.isEmpty() && updated.isEmpty();
    }
}
