package io.pgpilot.services.pooler;

import io.pgpilot.model.Names;
import io.pgpilot.support.PlatformProperties;
import io.pgpilot.support.security.ServiceTokens;
import io.pgpilot.support.metrics.MetricsRenderer;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /metrics/poolers}: every PgBouncer's {@code cnpg_pgbouncer_*} metrics;
 * {@code POST /poolers/hold/{cluster}?timeoutMs=}: pause the cluster's rw poolers before a planned
 * switchover (called by the gateway with the internal service token; 401 without a token, 403 with
 * another; answers once they drained or the timeout passed).
 */
@RestController
class PoolerController {

    static final long MAX_HOLD_MS = 120_000;

    private final PoolerSupervisor supervisor;
    private final ServiceTokens tokens;

    PoolerController(PoolerSupervisor supervisor, PlatformProperties platform) {
        this.supervisor = supervisor;
        this.tokens = new ServiceTokens(platform.home());
    }

    @GetMapping("/metrics/poolers")
    ResponseEntity<String> metrics() {
        return ResponseEntity.ok().header("Content-Type", MetricsRenderer.CONTENT_TYPE)
                .body(PgBouncerMetrics.scrape(supervisor.processes()));
    }

    @PostMapping("/poolers/hold/{cluster}")
    ResponseEntity<Map<String, Object>> hold(@PathVariable String cluster, @RequestParam(defaultValue = "10000") long timeoutMs,
                                             @RequestHeader(value = "Authorization", required = false) String authorization)
            throws InterruptedException {
        String presented = ServiceTokens.bearer(authorization);
        if (presented == null) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Bearer")
                    .body(Map.of("error", "a bearer token is required (the internal service token)"));
        }
        if (!tokens.existingInternal().map(t -> ServiceTokens.matches(t, presented)).orElse(false)) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "this token does not grant holding poolers"));
        }
        if (!Names.CLUSTER.matcher(cluster).matches()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no cluster named '" + Names.printable(cluster) + "'"));
        }
        if (timeoutMs < 0 || timeoutMs > MAX_HOLD_MS) {
            return ResponseEntity.badRequest().body(Map.of("error", "timeoutMs must be between 0 and " + MAX_HOLD_MS));
        }
        try {
            PoolerSupervisor.HoldResult result = supervisor.holdForSwitchover(cluster, Duration.ofMillis(timeoutMs))
                    .get(timeoutMs + 15_000, TimeUnit.MILLISECONDS);
            return ResponseEntity.ok(Map.of("cluster", cluster, "poolers", result.poolers(), "drained", result.drained()));
        } catch (ExecutionException | TimeoutException e) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "poolers of " + cluster
                    + " could not be paused: " + e.getClass().getSimpleName()));
        }
    }
}
