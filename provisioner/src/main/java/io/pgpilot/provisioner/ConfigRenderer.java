package io.pgpilot.provisioner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders the configuration files pgpilot writes into a data directory. Pure. */
public final class ConfigRenderer {

    public static final String MANAGED_FILE = "pgpilot.conf";
    public static final String CUSTOM_FILE = "custom.conf";
    public static final String INCLUDE_MARKER = "# pgpilot: managed includes";
    public static final String REPLICATION_USER = "streaming_replica";

    /** Where the primary is, for a replica; null for the primary itself. */
    public record Upstream(String host, int port, Path passfile) {
    }

    /** Everything the managed file depends on; {@code archiving} null: no WAL archive. */
    public record ManagedSettings(String instanceName, int port, Path socketDirectory, Path logDirectory,
                                  String synchronousStandbyNames, Upstream upstream, Archiving archiving) {

        public ManagedSettings(String instanceName, int port, Path socketDirectory, Path logDirectory,
                               String synchronousStandbyNames, Upstream upstream) {
            this(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, null);
        }

        public ManagedSettings withArchiving(Archiving archiving) {
            return new ManagedSettings(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, archiving);
        }
    }

    /**
     * WAL archiving through the backup service: {@code archive_command} PUTs each file to
     * {@code <url>/wal/<cluster>/%f} with curl, which exits non-zero unless the service answered 2xx
     * (given only once the file is durable in the bucket); {@code restore_command} GETs it back.
     * Both values are validated here, before they reach a command line; nothing secret is in them.
     */
    public record Archiving(String backupServiceUrl, String cluster) {

        private static final java.util.regex.Pattern URL =
                java.util.regex.Pattern.compile("https?://[a-zA-Z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-fA-F:]+\\](:[0-9]{1,5})?");

        public Archiving {
            if (backupServiceUrl == null || !URL.matcher(backupServiceUrl).matches()) {
                throw new IllegalArgumentException("the backup service URL must be http(s)://host[:port] without a path");
            }
            io.pgpilot.model.Names.requireCluster(cluster);
        }

        /** For a cluster with {@code spec.backup} when the backup service is known; null otherwise. */
        public static Archiving of(io.pgpilot.model.ClusterDefinition cluster, String backupServiceUrl) {
            if (cluster == null || cluster.backup() == null || backupServiceUrl == null || backupServiceUrl.isBlank()) {
                return null;
            }
            return new Archiving(backupServiceUrl.replaceAll("/+$", ""), cluster.name());
        }
    }

    /**
     * Every instance archives ({@code always}): a standby archives what it received, so a segment
     * that a primary had not archived yet when it died is still archived, by the standby that takes
     * over or the others (no gap after a failover). The backup service acknowledges an identical
     * file again without writing it, so the copies of one segment from several instances are
     * harmless, and it refuses a different file under an archived name.
     * {@code archive_timeout} of 60 s bounds how far the archive lags behind an idle primary
     * (recovery point at most about a minute old, well under 5 minutes); an idle forced segment
     * compresses to a few KiB.
     */
    public static final String ARCHIVE_TIMEOUT = "60s";

    public static String archiveCommand(Archiving a) {
        return "curl -sS -f --max-time 120 -H \"Content-Type: application/octet-stream\" -T \"%p\" "
                + a.backupServiceUrl() + "/wal/" + a.cluster() + "/%f";
    }

    public static String restoreCommand(Archiving a) {
        return "curl -sS -f --max-time 120 -o \"%p\" " + a.backupServiceUrl() + "/wal/" + a.cluster() + "/%f";
    }

    private ConfigRenderer() {
    }

    /** A PostgreSQL configuration string literal: single quotes doubled, backslashes escaped. */
    public static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** Lines appended once to the postgresql.conf initdb wrote. */
    public static String includes() {
        return "\n" + INCLUDE_MARKER + "\n"
                + "include_if_exists = " + quote(MANAGED_FILE) + "\n"
                + "include_if_exists = " + quote(CUSTOM_FILE) + "\n";
    }

    public static String managed(ManagedSettings s) {
        List<String> lines = new ArrayList<>();
        lines.add("# managed by pgpilot: rewritten on every reconcile, do not edit");
        lines.add("port = " + s.port());
        lines.add("listen_addresses = '127.0.0.1'");
        lines.add("unix_socket_directories = " + quote(s.socketDirectory().toString()));
        lines.add("wal_level = replica");
        lines.add("hot_standby = on");
        lines.add("wal_log_hints = on");
        lines.add("max_wal_senders = 10");
        lines.add("max_replication_slots = 10");
        lines.add("wal_keep_size = '512MB'");
        // a dead upstream or downstream is noticed within seconds; a repointed standby reconnects to
        // its new upstream at once (the new primary's commits wait for it: ANY 1 synchronous)
        lines.add("wal_receiver_timeout = '5s'");
        lines.add("wal_sender_timeout = '5s'");
        lines.add("wal_retrieve_retry_interval = '100ms'");
        lines.add("cluster_name = " + quote(s.instanceName()));
        lines.add("logging_collector = on");
        lines.add("log_directory = " + quote(s.logDirectory().toString()));
        lines.add("log_filename = 'postgresql-%a.log'");
        lines.add("log_truncate_on_rotation = on");
        lines.add("log_rotation_age = '1d'");
        lines.add("log_line_prefix = '%m [%p] %q%u@%d '");
        lines.add("synchronous_standby_names = " + quote(s.synchronousStandbyNames()));
        if (s.archiving() != null) {
            lines.add("archive_mode = always");
            lines.add("archive_command = " + quote(archiveCommand(s.archiving())));
            lines.add("archive_timeout = " + quote(ARCHIVE_TIMEOUT));
            lines.add("restore_command = " + quote(restoreCommand(s.archiving())));
        }
        if (s.upstream() != null) {
            lines.add("primary_conninfo = " + quote(primaryConninfo(s.instanceName(), s.upstream())));
            lines.add("recovery_target_timeline = 'latest'");
        } else {
            lines.add("primary_conninfo = ''");
        }
        return String.join("\n", lines) + "\n";
    }

    private static final java.util.regex.Pattern CONNINFO_PORT =
            java.util.regex.Pattern.compile("(?m)^primary_conninfo = '.*\\bport=([0-9]{1,5})\\b");

    /** The upstream port in a managed file written by {@link #managed}; 0 when it has none. */
    public static int upstreamPort(String managedText) {
        var m = CONNINFO_PORT.matcher(managedText == null ? "" : managedText);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** libpq connection string for a replica; values are validated names and paths, quoted anyway. */
    public static String primaryConninfo(String instanceName, Upstream upstream) {
        return "host=" + connValue(upstream.host()) + " port=" + upstream.port() + " user=" + REPLICATION_USER
                + " application_name=" + connValue(instanceName) + " passfile=" + connValue(upstream.passfile().toString());
    }

    private static String connValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** User parameters from the manifest, sorted so the file only changes when they do. */
    public static String custom(Map<String, String> parameters) {
        StringBuilder out = new StringBuilder("# user parameters from the cluster manifest (managed by pgpilot)\n");
        new TreeMap<>(parameters).forEach((key, value) -> out.append(key).append(" = ").append(quote(value)).append('\n'));
        return out.toString();
    }

    /** Password authentication everywhere: the control plane may run as root, so peer auth would not fit. */
    public static String hba() {
        return """
                # managed by pgpilot
                # TYPE  DATABASE     USER               ADDRESS       METHOD
                local   all          all                              scram-sha-256
                host    all          all                127.0.0.1/32  scram-sha-256
                host    replication  streaming_replica  127.0.0.1/32  scram-sha-256
                """;
    }

    /** One passfile line for any host port and database; ':' and '\' escaped as libpq wants. */
    public static String passfileLine(String host, String user, String password) {
        return escapePass(host) + ":*:*:" + escapePass(user) + ":" + escapePass(password) + "\n";
    }

    private static String escapePass(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }
}
