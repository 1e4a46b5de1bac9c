package io.pgpilot.services.pooler;

import io.pgpilot.model.PoolerDefinition;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the files of one PgBouncer process of a pooler. Pure. Every process of a pooler listens on
 * the pooler's port with {@code so_reuseport} (the kernel spreads new connections over them) and has
 * its own directory for its pid file, log and Unix socket (its admin console, reached only over that
 * socket as {@value #ADMIN_USER} with SCRAM: PgBouncer 1.18's peer authentication would need the admin to be
 * a PostgreSQL role name too).
 * <p>
 * Clients authenticate with SCRAM; PgBouncer looks their secret up with {@code auth_query} through
 * the pooler's own role and logs into PostgreSQL with the client's own SCRAM proof, so no application
 * password is in any PgBouncer file. pgpilot's settings are written after the manifest's parameters,
 * which never name them (the allowlist refuses them).
 */
public final class PgBouncerConfig {

    /** The admin console's user; not a PostgreSQL role, its random password only in the auth file and a 0600 passfile. */
    public static final String ADMIN_USER = "pgpilot_admin";

    /** Where the pool sends server connections. */
    public record Target(String host, int port) {
        public Target {
            if (host == null || !host.matches("[A-Za-z0-9][-A-Za-z0-9.]{0,252}") || port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid pooler target " + host + ":" + port);
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private PgBouncerConfig() {
    }

    /**
     * @param authUser the role that runs the auth query (pgpilot's pooler role or the manifest's authQuerySecret user)
     * @param serverCa the cluster's CA certificate (server connections over TLS with verify-full), null for plain text
     */
    public static String ini(PoolerDefinition pooler, String listenAddress, int port, Path instanceDir, Path hbaFile,
                             Path authFile, String authUser, Path serverCa, Target target) {
        Map<String, String> settings = new LinkedHashMap<>();
        // defaults a user may override
        settings.put("max_client_conn", "1000");
        settings.put("default_pool_size", "20");
        settings.put("server_login_retry", "1");
        settings.put("query_wait_timeout", "120");
        settings.put("ignore_startup_parameters", "extra_float_digits,options");
        settings.putAll(pooler.parameters());
        // pgpilot's own, last
        settings.put("listen_addr", listenAddress);
        settings.put("listen_port", Integer.toString(port));
        settings.put("so_reuseport", "1");
        settings.put("unix_socket_dir", instanceDir.toString());
        settings.put("unix_socket_mode", "0700");
        settings.put("pidfile", instanceDir.resolve("pgbouncer.pid").toString());
        settings.put("logfile", instanceDir.resolve("pgbouncer.log").toString());
        settings.put("pool_mode", pooler.poolMode().pgbouncerName());
        settings.put("auth_type", "hba");
        settings.put("auth_hba_file", hbaFile.toString());
        settings.put("auth_file", authFile.toString());
        settings.put("auth_user", authUser);
        settings.put("auth_query", pooler.effectiveAuthQuery());
        if (serverCa != null) {
            // the cluster's CA: server connections are TLS, the server's name checked (works with spec.certificates.requireTls)
            settings.put("server_tls_sslmode", "verify-full");
            settings.put("server_tls_ca_file", serverCa.toString());
        }
        settings.put("admin_users", ADMIN_USER);
        settings.put("stats_users", ADMIN_USER);
        StringBuilder ini = new StringBuilder("; written by pgpilot for pooler ").append(pooler.name())
                .append(" (cluster ").append(pooler.cluster()).append(", ").append(pooler.type().suffix()).append(")\n");
        ini.append("[databases]\n");
        ini.append("* = host=").append(target.host()).append(" port=").append(target.port()).append('\n');
        ini.append("\n[pgbouncer]\n");
        settings.forEach((key, value) -> ini.append(key).append(" = ").append(value).append('\n'));
        return ini.toString();
    }

    /**
     * Who may connect: the admin console only over the Unix socket (whose directory only the PgBouncer
     * OS user can enter), never over TCP; everyone else with SCRAM.
     */
    public static String hba() {
        return """
                local  pgbouncer  %1$s  scram-sha-256
                local  all        all   reject
                host   pgbouncer  all   0.0.0.0/0  reject
                host   all        all   0.0.0.0/0  scram-sha-256
                """.formatted(ADMIN_USER);
    }

    /**
     * The auth file holds the auth user's own password (PgBouncer needs it to run the lookup) and the
     * admin console's; no application password.
     */
    public static String authFile(String authUser, String authPassword, String adminPassword) {
        return quote(authUser) + " " + quote(authPassword) + "\n" + quote(ADMIN_USER) + " " + quote(adminPassword) + "\n";
    }

    /** libpq passfile for the admin console, any socket directory and port. */
    public static String adminPassfile(String adminPassword) {
        return "*:*:pgbouncer:" + ADMIN_USER + ":" + adminPassword.replace("\\", "\\\\").replace(":", "\\:") + "\n";
    }

    private static String quote(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }
}
