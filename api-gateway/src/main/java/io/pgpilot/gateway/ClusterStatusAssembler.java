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
        return assemble(spec, definition, topology, inventory, heartbeats, endpoints, null, now);
    }

    /** {@code lastEvent}: the latest event about the cluster, shown when it is not older than the spec. */
    public static ClusterStatus assemble(ClusterSpecRecord spec, ClusterDefinition definition, Topology topology,
                                         Map<String, InstanceRecord> inventory, Map<String, Heartbeat> heartbeats,
                                         EndpointsRecord endpoints, ClusterStatus.LastEvent lastEvent, Instant now) {
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
            rows.add(new ClusterStatus.InstanceStatus(name, role, status, record == null ? null : record.host(), record == null ? null : record.port(),
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
        boolean failed = rows.stream().anyMatch(r -> "failed".equals(r.status()));
        // healthy also means the synchronous configuration is in force: every replica is a sync
        // candidate of the primary (the provisioner lists all of them once they exist)
        boolean syncApplied = definition.synchronous().number() == 0 || syncStates.values().stream()
                .filter(s -> "sync".equals(s) || "quorum".equals(s) || "potential".equals(s)).count()
                >= definition.instances() - 1;
        // not healthy while a changed parameter waits for a restart (the provisioner rolls it out)
        List<String> pendingRestart = definition.instanceNames().stream().filter(n -> heartbeats.get(n) != null
                && heartbeats.get(n).pendingRestart() && !heartbeats.get(n).observedAt().plus(FRESH).isBefore(now)).toList();
        boolean allStopped = definition.instanceNames().stream().allMatch(n -> inventory.get(n) == null
                || inventory.get(n).phase() == InstanceRecord.Phase.STOPPED);
        String phase = definition.hibernated() ? (allStopped ? "Cluster in hibernation" : "Hibernating")
                : topology == null ? (failed ? "Failed" : "Setting up primary")
                : ready == definition.instances() && syncApplied && !pendingRestart.isEmpty()
                ? "Applying configuration: restart pending on " + String.join(", ", pendingRestart)
                : ready == definition.instances() && syncApplied ? "Cluster in healthy state"
                : ready == definition.instances() ? "Waiting for synchronous replication to be configured"
                : primaryBeat == null || !primaryBeat.isUp() ? "Primary unavailable"
                : "Waiting for the instances to become active";
        Map<String, String> access = endpoints == null ? null : Map.of(
                definition.name() + "-rw", endpoints.host() + ":" + endpoints.rwPort(),
                definition.name() + "-ro", endpoints.host() + ":" + endpoints.roPort(),
                definition.name() + "-r", endpoints.host() + ":" + endpoints.rPort());
        List<String> standbyNames = definition.instanceNames().stream()
                .filter(n -> topology == null || !n.equals(topology.primary())).toList();
        ClusterStatus.LastEvent recent = lastEvent != null && spec.acceptedAt() != null && lastEvent.time() != null
                && lastEvent.time().isBefore(spec.acceptedAt()) ? null : lastEvent;
        ClusterStatus.Progress progress = ready >= definition.instances() || definition.hibernated() ? null
                : progress(definition, ready, rows, recent);
        return new ClusterStatus(definition.name(), spec.generation(), phase, definition.instances(), ready,
                topology == null ? null : topology.primary(), topology == null ? 0 : topology.epoch(),
                topology == null ? null : topology.timeline(),
                definition.synchronous().standbyNames(topology == null ? List.of() : standbyNames), syncStandbys,
                rows, access, Map.of("app", definition.name() + "-app", "superuser", definition.name() + "-superuser"),
                progress, recent, spec.uid(), pendingRestart.isEmpty() ? null : pendingRestart, null);
    }

    /** "2/3 instances ready; creating c-3", with what failed and the last event's message when there is one. */
    static ClusterStatus.Progress progress(ClusterDefinition definition, int ready, List<ClusterStatus.InstanceStatus> rows,
                                           ClusterStatus.LastEvent lastEvent) {
        int of = definition.instances();
        StringBuilder message = new StringBuilder(ready + "/" + of + " instances ready");
        List<String> creating = rows.stream().filter(r -> "creating".equals(r.status())).map(ClusterStatus.InstanceStatus::name).toList();
        List<String> failed = rows.stream().filter(r -> "failed".equals(r.status()))
                .map(r -> r.name() + (r.message() == null ? "" : " (" + r.message() + ")")).toList();
        List<String> pending = rows.stream().filter(r -> "pending".equals(r.status())).map(ClusterStatus.InstanceStatus::name).toList();
        if (!creating.isEmpty()) {
            message.append("; creating ").append(String.join(", ", creating));
        }
        if (!failed.isEmpty()) {
            message.append("; failed: ").append(String.join(", ", failed));
        }
        if (!pending.isEmpty() && creating.isEmpty()) {
            message.append("; waiting for ").append(String.join(", ", pending));
        }
        if (lastEvent != null && lastEvent.message() != null) {
            message.append("; last event: ").append(lastEvent.message());
        }
        return new ClusterStatus.Progress(ready, of, of == 0 ? 100 : ready * 100 / of, message.toString());
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
