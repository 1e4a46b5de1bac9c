package io.pgpilot.failover;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** How often decisions are taken and how old a heartbeat may be before it no longer counts. */
@ConfigurationProperties(prefix = "pgpilot.failover")
public record FailoverProperties(Duration decisionInterval, Duration heartbeatTimeout) {

    public FailoverProperties {
        if (decisionInterval == null) {
            decisionInterval = Duration.ofMillis(250);
        }
        if (heartbeatTimeout == null) {
            heartbeatTimeout = Duration.ofSeconds(5);
        }
    }
}
