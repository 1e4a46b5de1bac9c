package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgpilot.events.DatabaseSpecRecord;
import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.model.DatabaseDefinition;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/databases/{name}}: the Database as declared and as reconciled (CloudNativePG's
 * {@code status.applied} and {@code message}); {@code applied} is true only for the current generation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DatabaseStatus(String name, String cluster, String database, String owner, String ensure, String reclaimPolicy,
                      List<String> extensions, boolean applied, String phase, String message, List<String> installedExtensions,
                      long generation, Long observedGeneration, Instant updatedAt) {

    static DatabaseStatus of(DatabaseDefinition d, DatabaseSpecRecord spec, DatabaseStatusRecord status) {
        boolean current = status != null && status.generation() == spec.generation();
        String phase = status == null || !current ? "Pending" : switch (status.phase()) {
            case PENDING -> "Pending";
            case APPLIED -> "Applied";
            case DROPPED -> "Dropped";
            case FAILED -> "Failed";
        };
        return new DatabaseStatus(d.name(), d.cluster(), d.database(), d.owner(), d.present() ? "present" : "absent",
                d.reclaimDelete() ? "delete" : "retain",
                d.extensions().stream().map(e -> e.name() + (e.present() ? "" : " (absent)")).toList(),
                current && (status.phase() == DatabaseStatusRecord.Phase.APPLIED || status.phase() == DatabaseStatusRecord.Phase.DROPPED),
                phase, status == null ? null : status.message(), status == null ? null : status.extensions(), spec.generation(),
                status == null ? null : status.generation(), status == null ? null : status.updatedAt());
    }
}
