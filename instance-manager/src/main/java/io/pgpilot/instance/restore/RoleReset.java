package io.pgpilot.instance.restore;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.instance.lifecycle.InstanceProcess;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.instance.sql.InstanceSql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** After an archive recovery the roles are the source's: the new cluster's passwords are set over the local socket. */
public final class RoleReset {

    private final PostgresHost host;
    private final ConfigWriter config;
    private final InstanceProcess process;

    public RoleReset(PostgresHost host, ConfigWriter config, InstanceProcess process) {
        this.host = host;
        this.config = config;
        this.process = process;
    }

    /**
     * After the promotion of a recovered instance: the roles are the source's. Sets the new
     * cluster's passwords (as SCRAM verifiers, over the Unix socket as the OS user, peer
     * authentication; SQL on stdin, nothing on a command line), creates what is missing, then
     * writes the normal pg_hba.conf and reloads.
     */
    public void resetRolesAfterRecovery(InstanceLayout layout, int port, Credentials superuser, Credentials replication, Credentials owner) {
        String sql = String.join("\n",
                "\\set ON_ERROR_STOP on",
                "SET synchronous_commit = local;",
                "ALTER ROLE " + InstanceSql.ident(superuser.username()) + " WITH SUPERUSER LOGIN PASSWORD '" + verifier(superuser) + "';",
                "SELECT 'CREATE ROLE " + InstanceSql.ident(replication.username()) + " WITH LOGIN REPLICATION' WHERE NOT EXISTS "
                        + "(SELECT 1 FROM pg_roles WHERE rolname = '" + replication.username() + "') \\gexec",
                "ALTER ROLE " + InstanceSql.ident(replication.username()) + " WITH LOGIN REPLICATION PASSWORD '" + verifier(replication) + "';",
                "SELECT 'CREATE ROLE " + InstanceSql.ident(owner.username()) + " WITH LOGIN' WHERE NOT EXISTS "
                        + "(SELECT 1 FROM pg_roles WHERE rolname = '" + owner.username() + "') \\gexec",
                "ALTER ROLE " + InstanceSql.ident(owner.username()) + " WITH LOGIN PASSWORD '" + verifier(owner) + "';", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                runPsql(layout, port, sql);
                break;
            } catch (RecoveryException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Postmaster.sleep(250); // the promoted server may still be finishing its end-of-recovery checkpoint
            }
        }
        config.writeBaseFiles(layout);
        Files2.writePrivate(layout.pgdata().resolve("pg_ident.conf"), "# managed by pgpilot\n", host.user());
        process.reload(layout);
    }

    private static String verifier(Credentials credentials) {
        String v = org.postgresql.util.PasswordUtil.encodeScramSha256(credentials.password().toCharArray());
        if (!v.matches("SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")) {
            throw new IllegalStateException("unexpected SCRAM verifier format");
        }
        return v;
    }

    private void runPsql(InstanceLayout layout, int port, String sql) {
        List<String> command = host.user().wrap(List.of(host.tool("psql"), "-X", "-q", "-h", layout.socketDirectory().toString(),
                "-p", String.valueOf(port), "-U", Credentials.SUPERUSER, "-d", "postgres", "-f", "-"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(layout.directory().toFile()).start();
            try (var out = process.getOutputStream()) {
                out.write(sql.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                // psql echoes failing statements only as "ERROR: ..." lines: no verifier in the message
                throw new RecoveryException(RecoveryException.Reason.FAILED, "resetting the roles failed: "
                        + output.lines().filter(l -> l.contains("ERROR") || l.contains("FATAL") || l.contains("error"))
                        .map(l -> l.replaceAll("SCRAM-SHA-256\\$\\S+", "***")).findFirst().orElse("psql exit " + process.exitValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecoveryException(RecoveryException.Reason.FAILED, "interrupted");
        }
    }
}
