package io.pgpilot.instance.layout;

import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;

import java.nio.file.Path;

/**
 * What every instance-side operation on one host needs: PostgreSQL's programs, the unprivileged OS
 * user PostgreSQL runs as, and the home under which the instance directories live.
 */
public record PostgresHost(PostgresBinaries binaries, OsUser user, Path home) {

    public PostgresHost {
        home = home.toAbsolutePath();
    }

    public InstanceLayout layout(String cluster, int ordinal) {
        return InstanceLayout.of(home, cluster, ordinal);
    }

    public String tool(String name) {
        return binaries.tool(name);
    }
}
