package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.model.PoolerDefinition;

import java.time.Instant;
import java.util.Map;

/** {@code GET /api/v1/poolers/{name}}: the pooler as declared and as run, with the endpoint clients use. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PoolerStatus(String name, String cluster, String type, int instances, String poolMode, boolean paused,
                    Map<String, String> parameters, String endpoint, String phase, Integer running, String target,
                    String message, long generation, Instant updatedAt) {

    static PoolerStatus of(PoolerDefinition definition, PoolerSpecRecord spec, PoolerStatusRecord status) {
        boolean current = status != null && status.generation() == spec.generation();
        String phase = status == null ? "Pending" : switch (status.phase()) {
            case STARTING -> "Starting";
            case READY -> current ? "Ready" : "Updating";
            case PAUSED -> "Paused";
            case WAITING_FOR_CLUSTER -> "Waiting for cluster";
            case FAILED -> "Failed";
        };
        return new PoolerStatus(definition.name(), definition.cluster(), definition.type().suffix(), definition.instances(),
                definition.poolMode().pgbouncerName(), definition.paused(), definition.parameters(),
                status == null || status.port() == 0 ? null : status.host() + ":" + status.port(), phase,
                status == null ? null : status.running(), status == null ? null : status.target(),
                status == null ? null : status.message(), spec.generation(), status == null ? null : status.updatedAt());
    }
}
