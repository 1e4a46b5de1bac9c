package io.pgpilot.health;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.instance.http.Checks;
import io.pgpilot.model.Names;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;

/**
 * Patroni-style probes per instance: 200 when the instance is what is asked, 503 otherwise; a
 * heartbeat older than three intervals counts as unknown. Load balancers and Kubernetes use these.
 */
@RestController
class ProbeController {

    private final HeartbeatLoop loop;
    private final HealthProperties health;

    ProbeController(HeartbeatLoop loop, HealthProperties health) {
        this.loop = loop;
        this.health = health;
    }

    @GetMapping("/instances/{cluster}/{instance}/primary")
    ResponseEntity<Heartbeat> primary(@PathVariable String cluster, @PathVariable String instance) {
        return answer(cluster, instance, Checks.Check.PRIMARY);
    }

    @GetMapping("/instances/{cluster}/{instance}/replica")
    ResponseEntity<Heartbeat> replica(@PathVariable String cluster, @PathVariable String instance) {
        return answer(cluster, instance, Checks.Check.REPLICA);
    }

    @GetMapping("/instances/{cluster}/{instance}/health")
    ResponseEntity<Heartbeat> health(@PathVariable String cluster, @PathVariable String instance) {
        return answer(cluster, instance, Checks.Check.HEALTH);
    }

    @GetMapping("/clusters/{cluster}/heartbeats")
    List<Heartbeat> heartbeats(@PathVariable String cluster) {
        Names.requireCluster(cluster);
        return loop.view().heartbeatList(cluster);
    }

    private ResponseEntity<Heartbeat> answer(String cluster, String instance, Checks.Check check) {
        Names.requireCluster(cluster);
        Names.requireInstance(instance);
        var heartbeat = loop.view().heartbeat(cluster, instance);
        if (heartbeat.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).build();
        }
        Heartbeat h = heartbeat.get();
        return ResponseEntity.status(Checks.status(check, h, Instant.now(), health.interval().multipliedBy(3))).body(h);
    }
}
