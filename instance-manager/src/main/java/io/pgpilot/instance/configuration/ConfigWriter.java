package io.pgpilot.instance.configuration;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Writes an instance's configuration into its data directory, as the OS user, mode 600: the include
 * lines of postgresql.conf, pgpilot.conf (managed settings), custom.conf (user parameters),
 * pg_hba.conf with the cluster's {@code requireTls}, the TLS settings and the instance's certificate
 * files. Every write says whether anything changed (a reload applies it).
 */
public final class ConfigWriter {

    private final PostgresHost host;
    private final CertificateSource certificates;
    private final UnaryOperator<String> clusterToken;
    private final String nodeAddress;

    /**
     * Instances reached on the loopback address only (single host).
     *
     * @param clusterToken a cluster's bearer token for the backup service (archive_command / restore_command), by cluster name
     */
    public ConfigWriter(PostgresHost host, CertificateSource certificates, UnaryOperator<String> clusterToken) {
        this(host, certificates, clusterToken, ConfigRenderer.LOOPBACK);
    }

    /**
     * @param nodeAddress where other hosts reach this host's instances (they listen on it and accept
     *                    TLS connections from other hosts); {@code 127.0.0.1}: single host
     */
    public ConfigWriter(PostgresHost host, CertificateSource certificates, UnaryOperator<String> clusterToken, String nodeAddress) {
        this.host = host;
        this.certificates = certificates;
        this.clusterToken = clusterToken;
        this.nodeAddress = nodeAddress;
        ConfigRenderer.listenAddresses(nodeAddress); // refuses a malformed address now, not at the first write
    }

    private boolean otherHosts() {
        return !ConfigRenderer.LOOPBACK.equals(ConfigRenderer.listenAddresses(nodeAddress));
    }

    /** pg_hba.conf and the include lines in postgresql.conf (once), the TLS files and settings. */
    public void writeBaseFiles(InstanceLayout layout) {
        try {
            Path conf = layout.pgdata().resolve("postgresql.conf");
            Files2.writePrivate(conf, ConfigRenderer.withIncludes(Files.readString(conf, StandardCharsets.UTF_8)), host.user());
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
        writeTls(layout, true);
    }

    /** Rewrites pgpilot.conf, custom.conf and the TLS files and settings; true when any changed. */
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        try {
            if (settings.archiving() != null || settings.recovery() != null) {
                // the cluster's backup-service token for archive_command / restore_command (never on their command line)
                Files2.writePrivate(layout.directory().resolve(ConfigRenderer.CURL_CONFIG),
                        ConfigRenderer.curlConfig(clusterToken.apply(layout.cluster())), host.user());
            }
            writeWalScripts(layout, settings);
            boolean managed = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE), ConfigRenderer.managed(settings, nodeAddress),
                    host.user());
            boolean custom = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.CUSTOM_FILE), ConfigRenderer.custom(parameters),
                    host.user());
            // data directories of an earlier pgpilot included the user's file last: put pgpilot's own last
            Path conf = layout.pgdata().resolve("postgresql.conf");
            boolean order = Files.exists(conf)
                    && Files2.writePrivate(conf, ConfigRenderer.withIncludes(Files.readString(conf, StandardCharsets.UTF_8)), host.user());
            // during an archive recovery pg_hba.conf is the recovery one (peer for the role reset) until the reset
            boolean tls = writeTls(layout, settings.recovery() == null);
            return managed || custom || order || tls;
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        } catch (UncheckedIOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    /** Rewrites only pgpilot.conf (and the WAL scripts it names; the user parameters stay as they are); true when it changed. */
    public boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings) {
        try {
            writeWalScripts(layout, settings);
            return Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE), ConfigRenderer.managed(settings, nodeAddress), host.user());
        } catch (UncheckedIOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    /**
     * The parallel archive / prefetching restore scripts in the instance directory, written before
     * pgpilot.conf names them (a change of {@code wal.maxParallel} reaches both in one reconcile).
     */
    private void writeWalScripts(InstanceLayout layout, ManagedSettings settings) {
        if (settings.recovery() != null && settings.recovery().prefetching()) {
            Files2.writePrivate(layout.directory().resolve(WalRestoreScript.FILE), WalRestoreScript.render(settings.recovery()), host.user());
        }
        if (settings.archiving() != null && settings.archiving().parallel()) {
            Files2.writePrivate(layout.directory().resolve(WalArchiveScript.FILE), WalArchiveScript.render(settings.archiving()), host.user());
        }
    }

    /** Records a cluster's {@code spec.certificates} choices for every later write; true when they changed. */
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return tls.write(InstanceLayout.clusterDirectory(host.home(), cluster));
    }

    public ClusterTls clusterTls(String cluster) {
        return ClusterTls.read(InstanceLayout.clusterDirectory(host.home(), cluster));
    }

    /**
     * Certificates, pgpilot-tls.conf (included last from postgresql.conf) and, when {@code hba},
     * pg_hba.conf with the cluster's requireTls; true when anything changed (a reload applies it:
     * PostgreSQL reloads its TLS settings and files without a restart).
     */
    private boolean writeTls(InstanceLayout layout, boolean hba) {
        boolean changed = certificates.ensure(layout);
        try {
            Path conf = layout.pgdata().resolve("postgresql.conf");
            String text = Files.exists(conf) ? Files.readString(conf, StandardCharsets.UTF_8) : "";
            if (!text.contains(TlsConfig.INCLUDE_MARKER)) {
                changed |= Files2.writePrivate(conf, text + TlsConfig.include(), host.user());
            }
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
        changed |= Files2.writePrivate(layout.pgdata().resolve(TlsConfig.FILE), TlsConfig.settings(layout.tlsDirectory()), host.user());
        if (hba) {
            changed |= Files2.writePrivate(layout.pgdata().resolve("pg_hba.conf"), TlsConfig.hba(clusterTls(layout.cluster()).requireTls(), otherHosts()),
                    host.user());
        }
        return changed;
    }
}
