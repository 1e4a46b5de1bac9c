package io.pgpilot.health;

import io.pgpilot.support.metrics.MetricsRenderer;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /metrics}: every instance's metrics in the Prometheus text format, CloudNativePG names. */
@RestController
class MetricsController {

    private final InstanceMetricsCollector collector;

    MetricsController(InstanceMetricsCollector collector) {
        this.collector = collector;
    }

    @GetMapping("/metrics")
    ResponseEntity<String> metrics() {
        return ResponseEntity.ok().header("Content-Type", MetricsRenderer.CONTENT_TYPE).body(collector.scrape());
    }
}
