package io.pgpilot.model;

import io.pgpilot.model.ManifestException.Violation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The PgBouncer settings a {@code Pooler} manifest may carry ({@code spec.pgbouncer.parameters}):
 * an allowlist like CloudNativePG's, restricted to what Debian's PgBouncer 1.18 knows, each with a
 * value check. Listening, authentication, files, the admin console and the pool mode belong to pgpilot.
 * Pure.
 */
public final class PgBouncerParameters {

    private enum Kind { COUNT, SECONDS, BOOLEAN, VERBOSITY, SQL, NAME_LIST }

    private static final Map<String, Kind> ALLOWED = Map.ofEntries(
            Map.entry("default_pool_size", Kind.COUNT), Map.entry("min_pool_size", Kind.COUNT),
            Map.entry("reserve_pool_size", Kind.COUNT), Map.entry("max_client_conn", Kind.COUNT),
            Map.entry("max_db_connections", Kind.COUNT), Map.entry("max_user_connections", Kind.COUNT),
            Map.entry("listen_backlog", Kind.COUNT), Map.entry("sbuf_loopcnt", Kind.COUNT),
            Map.entry("tcp_socket_buffer", Kind.COUNT), Map.entry("tcp_keepcnt", Kind.COUNT),
            Map.entry("tcp_keepidle", Kind.COUNT), Map.entry("tcp_keepintvl", Kind.COUNT),
            Map.entry("tcp_user_timeout", Kind.COUNT), Map.entry("max_packet_size", Kind.COUNT),
            Map.entry("pkt_buf", Kind.COUNT), Map.entry("stats_period", Kind.COUNT),
            Map.entry("server_lifetime", Kind.SECONDS), Map.entry("server_idle_timeout", Kind.SECONDS),
            Map.entry("server_connect_timeout", Kind.SECONDS), Map.entry("server_login_retry", Kind.SECONDS),
            Map.entry("client_login_timeout", Kind.SECONDS), Map.entry("autodb_idle_timeout", Kind.SECONDS),
            Map.entry("dns_max_ttl", Kind.SECONDS), Map.entry("dns_nxdomain_ttl", Kind.SECONDS),
            Map.entry("query_timeout", Kind.SECONDS), Map.entry("query_wait_timeout", Kind.SECONDS),
            Map.entry("client_idle_timeout", Kind.SECONDS), Map.entry("idle_transaction_timeout", Kind.SECONDS),
            Map.entry("suspend_timeout", Kind.SECONDS), Map.entry("reserve_pool_timeout", Kind.SECONDS),
            Map.entry("server_check_delay", Kind.SECONDS),
            Map.entry("application_name_add_host", Kind.BOOLEAN), Map.entry("disable_pqexec", Kind.BOOLEAN),
            Map.entry("log_connections", Kind.BOOLEAN), Map.entry("log_disconnections", Kind.BOOLEAN),
            Map.entry("log_pooler_errors", Kind.BOOLEAN), Map.entry("log_stats", Kind.BOOLEAN),
            Map.entry("server_reset_query_always", Kind.BOOLEAN), Map.entry("server_round_robin", Kind.BOOLEAN),
            Map.entry("tcp_defer_accept", Kind.BOOLEAN), Map.entry("tcp_keepalive", Kind.BOOLEAN),
            Map.entry("server_fast_close", Kind.BOOLEAN), Map.entry("verbose", Kind.VERBOSITY),
            Map.entry("server_reset_query", Kind.SQL), Map.entry("server_check_query", Kind.SQL),
            Map.entry("ignore_startup_parameters", Kind.NAME_LIST));

    /** Set by pgpilot: where it listens, how clients authenticate, files, admin console, pool mode. */
    private static final Set<String> OWNED = Set.of("listen_addr", "listen_port", "unix_socket_dir", "unix_socket_mode",
            "unix_socket_group", "auth_type", "auth_file", "auth_hba_file", "auth_user", "auth_query", "auth_dbname",
            "admin_users", "stats_users", "pidfile", "logfile", "so_reuseport", "pool_mode", "user", "conffile",
            "syslog", "syslog_ident", "syslog_facility", "client_tls_sslmode", "client_tls_key_file",
            "client_tls_cert_file", "client_tls_ca_file", "server_tls_sslmode", "server_tls_key_file",
            "server_tls_cert_file", "server_tls_ca_file", "resolv_conf", "peer_id", "service_name", "job_name");

    private static final int MAX_PARAMETERS = 60;
    private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,8}");
    private static final Pattern SECONDS = Pattern.compile("(0|[1-9][0-9]{0,8})(\\.[0-9]{1,3})?");
    private static final Pattern BOOLEAN = Pattern.compile("[01]");
    private static final Pattern VERBOSITY = Pattern.compile("[0-2]");
    /** One statement on one line, nothing that ends an ini value or starts a comment. */
    private static final Pattern SQL = Pattern.compile("[A-Za-z0-9 _(),.'=*]{1,200}");
    private static final Pattern NAME_LIST = Pattern.compile("[a-z_][a-z0-9_]{0,62}(,[a-z_][a-z0-9_]{0,62}){0,19}");

    private PgBouncerParameters() {
    }

    public static Set<String> allowed() {
        return ALLOWED.keySet();
    }

    /** The accepted parameters (in manifest order); a violation per refused one. */
    public static Map<String, String> validate(Map<String, String> parameters, String field, List<Violation> violations) {
        Map<String, String> result = new LinkedHashMap<>();
        if (parameters == null) {
            return result;
        }
        if (parameters.size() > MAX_PARAMETERS) {
            violations.add(new Violation(field, "at most " + MAX_PARAMETERS + " parameters"));
            return result;
        }
        parameters.forEach((key, value) -> {
            String at = field + "." + Names.printable(key);
            Kind kind = key == null ? null : ALLOWED.get(key);
            if (key != null && OWNED.contains(key)) {
                violations.add(new Violation(at, "is managed by pgpilot and cannot be set"));
            } else if (kind == null) {
                violations.add(new Violation(at, "is not a PgBouncer parameter a Pooler may set"));
            } else if (value == null || !pattern(kind).matcher(value).matches()) {
                violations.add(new Violation(at, "'" + Names.printable(value) + "' is not " + describe(kind)));
            } else {
                result.put(key, value);
            }
        });
        return result;
    }

    private static Pattern pattern(Kind kind) {
        return switch (kind) {
            case COUNT -> COUNT;
            case SECONDS -> SECONDS;
            case BOOLEAN -> BOOLEAN;
            case VERBOSITY -> VERBOSITY;
            case SQL -> SQL;
            case NAME_LIST -> NAME_LIST;
        };
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case COUNT -> "a whole number (0 to 999999999)";
            case SECONDS -> "a number of seconds";
            case BOOLEAN -> "0 or 1";
            case VERBOSITY -> "0, 1 or 2";
            case SQL -> "one SQL statement of letters, digits, spaces and ( ) , . ' = * (at most 200 characters)";
            case NAME_LIST -> "a comma-separated list of parameter names";
        };
    }
}
