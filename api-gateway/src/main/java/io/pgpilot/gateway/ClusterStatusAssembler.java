package io.pgpilot.gateway;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Lsn;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ClusterDefinition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pure: combines desired state, topology, inventory, heartbeats and endpoints into a status. */
public final class ClusterStatusAssembler {

    public static final Duration FRESH = Duration.ofSeconds(5);

    private ClusterStatusAssembler() {
    }

    public static ClusterStatus assemble(ClusterSpecRecord spec, ClusterDefinition definition, Topology topology,
                                         Map<String, InstanceRecord> inventory, Map<String, Heartbeat> heartbeats,
                                         EndpointsRecord endpoints, Instant now) {
        Heartbeat primaryBeat = topology == null ? null : heartbeats.get(topology.primary());
        Map<String, String> syncStates = new LinkedHashMap<>();
        if (primaryBeat != null && primaryBeat.standbys() != null) {
            primaryBeat.standbys().forEach(s -> syncStates.put(s.applicationName(), s.syncState()));
        }
        List<ClusterStatus.InstanceStatus> rows = new ArrayList<>();
        int ready = 0;
        for (String name : definition.instanceNames()) {
            InstanceRecord record = inventory.get(name);
            Heartbeat beat = heartbeats.get(name);
            boolean fresh = beat != null && !beat.observedAt().plus(FRESH).isBefore(now);
            String role = roleOf(name, topology);
            boolean isReady = fresh && beat.isUp() && (("primary".equals(role) && beat.role() == Heartbeat.Role.PRIMARY)
                    || ("replica".equals(role) && beat.role() == Heartbeat.Role.REPLICA));
            if (isReady) {
                ready++;
            }
            String status = record == null ? "pending"
                    : record.phase() != InstanceRecord.Phase.RUNNING ? record.phase().name().toLowerCase()
                    : !fresh ? "unknown" : isReady ? "ok" : beat.state().name().toLowerCase();
            rows.add(new ClusterStatus.InstanceStatus(name, role, status, record == null ? null : record.port(),
                    fresh ? beat.timeline() : null,
                    fresh && beat.role() == Heartbeat.Role.PRIMARY ? Lsn.format(beat.currentLsn()) : null,
                    fresh && beat.role() == Heartbeat.Role.REPLICA ? Lsn.format(beat.receiveLsn()) : null,
                    fresh && beat.role() == Heartbeat.Role.REPLICA ? Lsn.format(beat.replayLsn()) : null,
                    fresh && beat.role() == Heartbeat.Role.REPLICA ? beat.lagBytes() : null,
                    fresh && beat.role() == Heartbeat.Role.REPLICA ? beat.lagSeconds() : null,
                    syncStates.get(name), fresh ? beat.walReceiverStatus() : null, fresh ? beat.connections() : null,
                    record == null ? null : record.message()));
        }
        // standbys whose confirmation a commit waits for: with ANY n, n of the quorum candidates
        long candidates = syncStates.values().stream().filter(s -> "sync".equals(s) || "quorum".equals(s)).count();
        int syncStandbys = (int) Math.min(definition.synchronous().number(), candidates);
        String phase = topology == null ? "Setting up primary"
                : ready == definition.instances() ? "Cluster in healthy state"
                : primaryBeat == null || !primaryBeat.isUp() ? "Primary unavailable"
                : "Waiting for the instances to become active";
        Map<String, String> access = endpoints == null ? null : Map.of(
                definition.name() + "-rw", endpoints.host() + ":" + endpoints.rwPort(),
                definition.name() + "-ro", endpoints.host() + ":" + endpoints.roPort(),
                definition.name() + "-r", endpoints.host() + ":" + endpoints.rPort());
        List<String> standbyNames = definition.instanceNames().stream()
                .filter(n -> topology == null || !n.equals(topology.primary())).toList();
        return new ClusterStatus(definition.name(), spec.generation(), phase, definition.instances(), ready,
                topology == null ? null : topology.primary(), topology == null ? 0 : topology.epoch(),
                topology == null ? null : topology.timeline(),
                definition.synchronous().standbyNames(topology == null ? List.of() : standbyNames), syncStandbys,
                rows, access, Map.of("app", definition.name() + "-app", "superuser", definition.name() + "-superuser"));
    }

    private static String roleOf(String instance, Topology topology) {
        if (topology == null) {
            return "pending";
        }
        if (instance.equals(topology.primary())) {
            return "primary";
        }
        if (topology.fenced() != null && topology.fenced().contains(instance)) {
            return "fenced";
        }
        return topology.replicas().contains(instance) ? "replica" : "pending";
    }
}
