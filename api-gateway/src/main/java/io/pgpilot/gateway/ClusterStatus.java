package io.pgpilot.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** What {@code GET /api/v1/clusters/{name}} answers: the analog of {@code kubectl cnpg status}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(String name, long generation, String phase, int instances, int readyInstances,
                            String currentPrimary, long topologyEpoch, Integer timeline,
                            String synchronousStandbyNames, int synchronousStandbys,
                            List<InstanceStatus> instanceStatus, Map<String, String> endpoints,
                            Map<String, String> secrets) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InstanceStatus(String name, String role, String status, Integer port, Integer timeline,
                                 String currentLsn, String receivedLsn, String replayLsn, Long lagBytes,
                                 Double lagSeconds, String syncState, String walReceiver, Integer connections,
                                 String message) {
    }
}
