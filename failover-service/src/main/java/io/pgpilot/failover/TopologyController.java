package io.pgpilot.failover;

import io.pgpilot.events.Topology;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** Read-only view of the decisions in force, for operators and the system tests. */
@RestController
class TopologyController {

    private final FailoverCoordinator coordinator;

    TopologyController(FailoverCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Whether this replica is the active decider: {"replica": ..., "state": "ACTIVE" | "CATCHING_UP" | "STANDBY"}. */
    @GetMapping("/leadership")
    Map<String, String> leadership() {
        return coordinator.leadership();
    }

    @GetMapping("/topologies")
    Map<String, Topology> topologies() {
        return coordinator.topologies();
    }
}
