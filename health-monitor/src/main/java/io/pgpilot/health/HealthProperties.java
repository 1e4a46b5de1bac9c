package io.pgpilot.health;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * How often instances are probed, how long a probe may take before the instance counts as
 * unreachable, the self-fence timeout, and how long a primary stopped by a signal and not answering
 * may stay so before it is killed ({@code frozen-kill-after}, 0 disables; see {@code FreezeGuard}).
 */
@ConfigurationProperties(prefix = "pgpilot.health")
public record HealthProperties(Duration interval, Duration probeTimeout, Duration selfFenceTimeout, Duration frozenKillAfter) {

    public HealthProperties {
        if (interval == null) {
            interval = Duration.ofSeconds(1);
        }
        if (selfFenceTimeout == null) {
            selfFenceTimeout = Duration.ofSeconds(4);
        }
        if (frozenKillAfter == null) {
            frozenKillAfter = Duration.ofSeconds(1);
        }
        if (probeTimeout == null) {
            probeTimeout = Duration.ofSeconds(2);
        }
    }
}
