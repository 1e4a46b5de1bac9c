package io.pgpilot.failover;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * @param decisionInterval how often decisions are taken
 * @param heartbeatTimeout how old a heartbeat may be before it no longer counts
 * @param lease            how long after its last healthy heartbeat an unreachable primary is
 *                         certainly fenced: the health monitor's self-fence timeout plus a margin
 * @param promotionTimeout how long a newly named primary that is alive may take to be promoted
 *                         before another replica is chosen
 */
@ConfigurationProperties(prefix = "pgpilot.failover")
public record FailoverProperties(Duration decisionInterval, Duration heartbeatTimeout, Duration lease,
                                 Duration promotionTimeout) {

    public FailoverProperties {
        if (decisionInterval == null) {
            decisionInterval = Duration.ofMillis(100);
        }
        if (heartbeatTimeout == null) {
            heartbeatTimeout = Duration.ofSeconds(3);
        }
        if (promotionTimeout == null) {
            promotionTimeout = Duration.ofSeconds(30);
        }
        if (lease == null) {
            lease = Duration.ofSeconds(8);
        }
    }
}
