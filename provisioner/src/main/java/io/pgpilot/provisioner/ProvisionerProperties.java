package io.pgpilot.provisioner;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.provisioner.*}: the first port instances get, the OS user PostgreSQL runs as (when
 * the platform runs as root), where PostgreSQL's programs are (empty: detected), and the timing of
 * the topology convergence (see {@link HaSettings}), and the backup service's URL that the
 * archive_command / restore_command of clusters with {@code spec.backup} call (empty: no archiving),
 * and the {@link InstanceBackend} that runs the instances ({@code local}, the default: processes on
 * this host; {@code nodes}: on the registered nodes, see {@link io.pgpilot.provisioner.nodes.NodesBackend};
 * an unknown name stops the start-up).
 */
@ConfigurationProperties(prefix = "pgpilot.provisioner")
public record ProvisionerProperties(Integer basePort, String osUser, String pgBin, Duration convergeInterval,
                                    Duration primaryRestartGrace, Duration promoteCatchUpTimeout, Duration demoteTimeout,
                                    String backupServiceUrl, String backend) {

    /** The backends {@code pgpilot.provisioner.backend} may name. */
    public static final java.util.Set<String> BACKENDS = java.util.Set.of("local", "nodes");

    public ProvisionerProperties {
        if (basePort == null) {
            basePort = 15432;
        }
        if (basePort < 1024 || basePort > 65535) {
            throw new IllegalArgumentException("pgpilot.provisioner.base-port must be between 1024 and 65535");
        }
        if (backend == null || backend.isBlank()) {
            backend = "local";
        }
        if ("kubernetes".equals(backend)) {
            // the Kubernetes objects exist (io.pgpilot.provisioner.kubernetes) but no pod could converge yet: docs/kubernetes.md
            throw new IllegalArgumentException("pgpilot.provisioner.backend: 'kubernetes' is not available yet: the instance manager"
                    + " does not yet create, start, promote or demote PostgreSQL from desired state, so pods would never become ready"
                    + " (docs/kubernetes.md, \"Kubernetes backend\"); use 'local'");
        }
        if (!BACKENDS.contains(backend)) {
            throw new IllegalArgumentException("pgpilot.provisioner.backend: unknown backend '" + io.pgpilot.model.Names.printable(backend)
                    + "' (known: " + String.join(", ", new java.util.TreeSet<>(BACKENDS)) + ")");
        }
        if (osUser == null || osUser.isBlank()) {
            osUser = "postgres";
        }
    }

    public HaSettings ha() {
        return new HaSettings(convergeInterval, primaryRestartGrace, promoteCatchUpTimeout, demoteTimeout);
    }
}
