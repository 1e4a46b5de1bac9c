package io.pgpilot.provisioner;

import java.time.Duration;

/**
 * Timing of the topology convergence: how often each cluster is checked, how long a crashed
 * topology primary stays down before it is restarted in place (the failover service may be
 * promoting another instance meanwhile), and how long a promotion after a clean demotion waits for
 * the target to have received the demoted primary's last WAL.
 */
public record HaSettings(Duration convergeInterval, Duration primaryRestartGrace, Duration promoteCatchUpTimeout,
                         Duration demoteTimeout) {

    public static final HaSettings DEFAULTS = new HaSettings(Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(15),
            Duration.ofSeconds(5));

    public HaSettings {
        convergeInterval = convergeInterval == null ? Duration.ofSeconds(1) : convergeInterval;
        primaryRestartGrace = primaryRestartGrace == null ? Duration.ofSeconds(15) : primaryRestartGrace;
        promoteCatchUpTimeout = promoteCatchUpTimeout == null ? Duration.ofSeconds(15) : promoteCatchUpTimeout;
        // how long a demoted primary may take to shut down before it is killed
        demoteTimeout = demoteTimeout == null ? Duration.ofSeconds(5) : demoteTimeout;
        if (convergeInterval.isNegative() || convergeInterval.isZero()) {
            throw new IllegalArgumentException("pgpilot.provisioner.converge-interval must be positive");
        }
        if (primaryRestartGrace.isNegative() || promoteCatchUpTimeout.isNegative()) {
            throw new IllegalArgumentException("grace and catch-up timeouts must not be negative");
        }
    }

}
