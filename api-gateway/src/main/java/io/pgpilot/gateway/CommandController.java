package io.pgpilot.gateway;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Json;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.model.Names;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Role operations, as CloudNativePG's plugin offers them: switchover (to a chosen or the best
 * replica), promote, fence and unfence. Each becomes one command for the failover service.
 */
@RestController
@RequestMapping("/api/v1/clusters/{cluster}")
class CommandController {

    private final PlatformView view;
    private final EventBus bus;
    private final SwitchoverHold hold;

    CommandController(PlatformView view, EventBus bus, SwitchoverHold hold) {
        this.view = view;
        this.bus = bus;
        this.hold = hold;
    }

    @ApiResponse(responseCode = "202", description = "switchover command accepted (commandId)")
    @PostMapping("/switchover")
    ResponseEntity<Map<String, Object>> switchover(@PathVariable String cluster,
                                                   @RequestBody(required = false) String body) {
        requireCluster(cluster);
        String target = null;
        if (body != null && !body.isBlank()) {
            Map<?, ?> request;
            try {
                request = Json.MAPPER.readValue(body, Map.class);
            } catch (RuntimeException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "body must be JSON like {\"target\": \"" + cluster + "-2\"}");
            }
            for (Object key : request.keySet()) {
                if (!"target".equals(key)) {
                    throw new ApiException(HttpStatus.BAD_REQUEST, "unknown field '" + Names.printable(String.valueOf(key)) + "'");
                }
            }
            Object value = request.get("target");
            if (value != null && !(value instanceof String)) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "target: must be an instance name");
            }
            target = (String) value;
        }
        if (target == null) {
            target = bestReplica(cluster);
        }
        return submit(cluster, ClusterCommand.Type.SWITCHOVER, requireMember(cluster, target));
    }

    @ApiResponse(responseCode = "202", description = "switchover to this instance accepted (commandId)")
    @PostMapping("/instances/{instance}/promote")
    ResponseEntity<Map<String, Object>> promote(@PathVariable String cluster, @PathVariable String instance) {
        requireCluster(cluster);
        return submit(cluster, ClusterCommand.Type.SWITCHOVER, requireMember(cluster, instance));
    }

    @ApiResponse(responseCode = "202", description = "fence command accepted (commandId)")
    @PostMapping("/instances/{instance}/fence")
    ResponseEntity<Map<String, Object>> fence(@PathVariable String cluster, @PathVariable String instance) {
        requireCluster(cluster);
        return submit(cluster, ClusterCommand.Type.FENCE, requireMember(cluster, instance));
    }

    @ApiResponse(responseCode = "202", description = "unfence command accepted (commandId)")
    @PostMapping("/instances/{instance}/unfence")
    ResponseEntity<Map<String, Object>> unfence(@PathVariable String cluster, @PathVariable String instance) {
        requireCluster(cluster);
        return submit(cluster, ClusterCommand.Type.UNFENCE, requireMember(cluster, instance));
    }

    private ResponseEntity<Map<String, Object>> submit(String cluster, ClusterCommand.Type type, String instance) {
        Map<String, Object> held = type == ClusterCommand.Type.SWITCHOVER ? hold.beforeSwitchover(cluster) : Map.of();
        ClusterCommand command = ClusterCommand.of(cluster, type, instance);
        bus.publish(Topics.COMMANDS, cluster, command);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("commandId", command.id());
        body.put("type", type.name().toLowerCase());
        body.put("instance", instance);
        body.put("status", "accepted");
        body.putAll(held);
        return ResponseEntity.accepted().body(body);
    }

    /** The replica the failover service would pick: highest received LSN among healthy replicas. */
    private String bestReplica(String cluster) {
        Topology topology = view.topology(cluster);
        if (topology == null) {
            throw new ApiException(HttpStatus.CONFLICT, "cluster " + cluster + " has no primary yet");
        }
        return view.heartbeats(cluster).values().stream()
                .filter(h -> h.isUp() && h.role() == Heartbeat.Role.REPLICA && topology.replicas().contains(h.instance()))
                .max(Comparator.comparingLong(Heartbeat::receiveLsn).thenComparing(Heartbeat::instance, Comparator.reverseOrder()))
                .map(Heartbeat::instance)
                .orElseThrow(() -> new ApiException(HttpStatus.CONFLICT, "cluster " + cluster + " has no healthy replica to switch over to"));
    }

    private void requireCluster(String cluster) {
        if (!Names.CLUSTER.matcher(cluster).matches() || view.spec(cluster).isEmpty()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no cluster named '" + Names.printable(cluster) + "'");
        }
    }

    private String requireMember(String cluster, String instance) {
        if (instance == null || !Names.INSTANCE.matcher(instance).matches() || !view.instances(cluster).containsKey(instance)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "no instance named '" + Names.printable(instance) + "' in " + cluster);
        }
        return instance;
    }
}
