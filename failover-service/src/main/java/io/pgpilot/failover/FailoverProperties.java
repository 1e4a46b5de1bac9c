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
 * @param replicaName      this replica's name in logs and in the leader election (default host:pid)
 * @param leaderSessionTimeout how long the Kafka group waits for a silent leader before electing
 *                         another replica (the broker's group.min.session.timeout.ms, 6 s by default, is the floor)
 */
@ConfigurationProperties(prefix = "pgpilot.failover")
public record FailoverProperties(Duration decisionInterval, Duration heartbeatTimeout, Duration lease,
                                 Duration promotionTimeout, String replicaName, Duration leaderSessionTimeout) {

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
        if (replicaName == null || replicaName.isBlank()) {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
            replicaName = host + ":" + ProcessHandle.current().pid();
        }
        if (leaderSessionTimeout == null) {
            leaderSessionTimeout = Duration.ofSeconds(6);
        }
    }
}
