package io.pgpilot.instance.initdb;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A new cluster's first instance: initdb into a fresh data directory, then pgpilot's base configuration. */
public final class InitDb {

    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(3);

    private final PostgresHost host;
    private final InstanceDirectories directories;
    private final ConfigWriter config;

    public InitDb(PostgresHost host, InstanceDirectories directories, ConfigWriter config) {
        this.host = host;
        this.directories = directories;
        this.config = config;
    }

    /** initdb with checksums and SCRAM; the superuser password goes through a 600 pwfile removed right after. */
    public void initPrimary(InstanceLayout layout, Credentials superuser) {
        directories.freshDataDirectory(layout);
        Path pwfile = layout.directory().resolve(".initdb.pw");
        try {
            Files2.writePrivate(pwfile, superuser.password() + "\n", host.user());
            Commands.run(host.user(), List.of(host.tool("initdb"), "-D", layout.pgdata().toString(), "--data-checksums",
                    "-A", "scram-sha-256", "--pwfile=" + pwfile, "-U", Credentials.SUPERUSER, "-E", "UTF8", "--locale=C"),
                    Map.of(), layout.directory(), INITDB_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.INITDB, "initdb of " + layout.instance() + " failed", e);
        } finally {
            Files2.deleteSecretFile(pwfile, layout, "the initdb password file");
        }
        config.writeBaseFiles(layout);
    }
}
