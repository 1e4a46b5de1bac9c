package io.pgpilot.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The reconciliation of a cluster's {@code spec.managed.roles} (key: cluster), like CloudNativePG's
 * {@code status.managedRolesStatus}: the roles that match the spec of {@code generation} and, for
 * the others, why not (messages never carry a password).
 */
public record RolesStatusRecord(String cluster, String uid, long generation, List<String> reconciled, Map<String, String> failed,
                                Instant updatedAt) {

    public RolesStatusRecord {
        reconciled = reconciled == null ? List.of() : List.copyOf(reconciled);
        failed = failed == null ? Map.of() : Map.copyOf(failed);
    }
}
