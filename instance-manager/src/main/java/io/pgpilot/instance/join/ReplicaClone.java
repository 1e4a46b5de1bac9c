package io.pgpilot.instance.join;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.CertificateSource;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.configuration.TlsConfig;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A replica joins by cloning the primary with pg_basebackup (a re-clone is the same into a fresh
 * data directory). streaming_replica authenticates with the instance's client certificate, the
 * primary is verified against the CA; the connection string holds only paths.
 */
public final class ReplicaClone {

    static final Duration BASEBACKUP_TIMEOUT = Duration.ofHours(6);

    private final PostgresHost host;
    private final InstanceDirectories directories;
    private final ConfigWriter config;
    private final CertificateSource certificates;

    public ReplicaClone(PostgresHost host, InstanceDirectories directories, ConfigWriter config, CertificateSource certificates) {
        this.host = host;
        this.directories = directories;
        this.config = config;
        this.certificates = certificates;
    }

    /** pg_basebackup (streaming WAL, fast checkpoint) into a fresh data directory, then marks the copy a standby. */
    public void cloneReplica(InstanceLayout layout, String primaryHost, int primaryPort, Credentials replication) {
        directories.freshDataDirectory(layout);
        writePassfile(layout, primaryHost, replication);
        certificates.ensure(layout);
        try {
            String conninfo = "host=" + primaryHost + " port=" + primaryPort + " user=" + replication.username() + " "
                    + TlsConfig.replicationConninfo(layout.tlsDirectory());
            Commands.run(host.user(), List.of(host.tool("pg_basebackup"), "-d", conninfo, "-D", layout.pgdata().toString(), "-X", "stream",
                    "-c", "fast", "--no-password"), Map.of(), layout.directory(), BASEBACKUP_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.BASEBACKUP, "pg_basebackup of " + layout.instance() + " failed", e);
        }
        Files2.writePrivate(layout.pgdata().resolve("standby.signal"), "", host.user());
        config.writeBaseFiles(layout);
    }

    /** libpq passfile with the replication password for a primary on this host. */
    public void writePassfile(InstanceLayout layout, Credentials replication) {
        writePassfile(layout, InstanceLayout.HOST, replication);
    }

    /** libpq passfile with the replication password for the primary at {@code primaryHost}, read by pg_basebackup and the WAL receiver. */
    public void writePassfile(InstanceLayout layout, String primaryHost, Credentials replication) {
        Files2.writePrivate(layout.replicationPassfile(),
                ConfigRenderer.passfileLine(primaryHost, replication.username(), replication.password()), host.user());
    }
}
