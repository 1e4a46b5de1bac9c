package io.pgpilot.instance.join;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.CertificateSource;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** An old primary rejoins as a replica: pg_rewind of its stopped data directory from the running primary. */
public final class Rewind {


    private final PostgresHost host;
    private final ConfigWriter config;
    private final CertificateSource certificates;

    public Rewind(PostgresHost host, ConfigWriter config, CertificateSource certificates) {
        this.host = host;
        this.config = config;
        this.certificates = certificates;
    }

    /**
     * pg_rewind from the running primary, as the unprivileged OS user. The superuser password goes
     * through a passfile of mode 600 removed right after. pg_rewind copies the source's configuration
     * files: the caller rewrites the managed configuration afterwards.
     */
    public void rewind(InstanceLayout layout, String primaryHost, int primaryPort, Credentials superuser) {
        Path passfile = layout.directory().resolve("rewind.pgpass");
        try {
            Files2.writePrivate(passfile, ConfigRenderer.passfileLine(primaryHost, superuser.username(), superuser.password()), host.user());
            certificates.ensure(layout);
            String source = "host=" + primaryHost + " port=" + primaryPort + " user=" + superuser.username() + " dbname=postgres passfile="
                    + passfile + " sslmode=verify-full sslrootcert=" + layout.tlsDirectory().resolve(TlsFiles.CA_CRT);
            Commands.run(host.user(), List.of(host.tool("pg_rewind"), "--target-pgdata=" + layout.pgdata(), "--source-server=" + source,
                    "--progress"), Map.of(), layout.directory(), ReplicaClone.BASEBACKUP_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.REWIND, "pg_rewind of " + layout.instance() + " failed", e);
        } finally {
            Files2.deleteSecretFile(passfile, layout, "the rewind passfile");
        }
        config.writeBaseFiles(layout);
    }
}
