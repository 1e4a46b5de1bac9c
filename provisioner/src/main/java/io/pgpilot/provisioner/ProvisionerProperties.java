package io.pgpilot.provisioner;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.provisioner.*}: the first port instances get, the OS user PostgreSQL runs as (when
 * the platform runs as root), where PostgreSQL's programs are (empty: detected), and the timing of
 * the topology convergence (see {@link HaSettings}), and the backup service's URL that the
 * archive_command / restore_command of clusters with {@code spec.backup} call (empty: no archiving).
 */
@ConfigurationProperties(prefix = "pgpilot.provisioner")
public record ProvisionerProperties(Integer basePort, String osUser, String pgBin, Duration convergeInterval,
                                    Duration primaryRestartGrace, Duration promoteCatchUpTimeout, Duration demoteTimeout,
                                    String backupServiceUrl) {

    public ProvisionerProperties {
        if (basePort == null) {
            basePort = 15432;
        }
        if (basePort < 1024 || basePort > 65535) {
            throw new IllegalArgumentException("pgpilot.provisioner.base-port must be between 1024 and 65535");
        }
        if (osUser == null || osUser.isBlank()) {
            osUser = "postgres";
        }
    }

    public HaSettings ha() {
        return new HaSettings(convergeInterval, primaryRestartGrace, promoteCatchUpTimeout, demoteTimeout);
    }
}
