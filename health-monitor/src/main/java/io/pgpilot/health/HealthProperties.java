package io.pgpilot.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** How often instances are probed and how long a probe may take before the instance counts as unreachable. */
@ConfigurationProperties(prefix = "pgpilot.health")
public record HealthProperties(Duration interval, Duration probeTimeout, Duration selfFenceTimeout) {

    public HealthProperties {
        if (interval == null) {
            interval = Duration.ofSeconds(1);
        }
        if (selfFenceTimeout == null) {
            selfFenceTimeout = Duration.ofSeconds(4);
        }
        if (probeTimeout == null) {
            probeTimeout = Duration.ofSeconds(2);
        }
    }
}
