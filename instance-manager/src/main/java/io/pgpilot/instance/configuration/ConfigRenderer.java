package io.pgpilot.instance.configuration;

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
    /** The address every instance listens on; the only one on a single host. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Where the primary is, for a replica (its TLS directory holds the streaming_replica client certificate); null for the primary. */
    public record Upstream(String host, int port, Path tlsDirectory) {
    }

    /** Everything the managed file depends on; {@code archiving} null: no WAL archive. */
    public record ManagedSettings(String instanceName, int port, Path socketDirectory, Path logDirectory,
                                  String synchronousStandbyNames, Upstream upstream, Archiving archiving, Recovery recovery) {

        public ManagedSettings(String instanceName, int port, Path socketDirectory, Path logDirectory,
                               String synchronousStandbyNames, Upstream upstream) {
            this(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, null, null);
        }

        public ManagedSettings(String instanceName, int port, Path socketDirectory, Path logDirectory,
                               String synchronousStandbyNames, Upstream upstream, Archiving archiving) {
            this(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, archiving, null);
        }

        public ManagedSettings withArchiving(Archiving archiving) {
            return new ManagedSettings(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, archiving,
                    recovery);
        }

        public ManagedSettings withRecovery(Recovery recovery) {
            return new ManagedSettings(instanceName, port, socketDirectory, logDirectory, synchronousStandbyNames, upstream, archiving,
                    recovery);
        }
    }

    /**
     * Archive recovery of a new cluster's first instance ({@code bootstrap.recovery}): WAL comes
     * from the SOURCE's archive through the backup service, recovery stops at the target and
     * promotes, following the latest timeline. The restore_command tells "not archived" (404:
     * exit 1, the end of the archive) from a failing store or service (exit above 125: PostgreSQL
     * stops with FATAL instead of ending recovery early), so a store outage never ends a recovery
     * silently short of its target.
     */
    public record Recovery(String backupServiceUrl, String cluster, io.pgpilot.model.ClusterDefinition.RecoveryTarget target,
                           int prefetch) {

        public Recovery {
            if (backupServiceUrl == null || !Archiving.URL.matcher(backupServiceUrl).matches()) {
                throw new IllegalArgumentException("the backup service URL must be http(s)://host[:port] without a path");
            }
            io.pgpilot.model.Names.requireCluster(cluster);
            if (prefetch < 1 || prefetch > 64) {
                throw new IllegalArgumentException("wal.maxParallel (WAL prefetch) must be between 1 and 64");
            }
        }

        /** One segment per restore_command call, no prefetch. */
        public Recovery(String backupServiceUrl, String cluster, io.pgpilot.model.ClusterDefinition.RecoveryTarget target) {
            this(backupServiceUrl, cluster, target, 1);
        }

        /** True when restore_command runs {@link WalRestoreScript} (rendered into the instance directory by the configuration writer). */
        public boolean prefetching() {
            return prefetch > 1;
        }
    }

    /**
     * curl's configuration file with the cluster's bearer token for the backup service, in the
     * instance directory (next to, not inside, the data directory: never in a base backup), mode 600
     * and owned by the instance's OS user. The commands name it relative to the data directory,
     * their working directory, so the token is never on a command line.
     */
    public static final String CURL_CONFIG = "backup-service.curl";
    private static final String CURL = "curl -K ../" + CURL_CONFIG + " ";

    /** The content of {@link #CURL_CONFIG}. */
    public static String curlConfig(String token) {
        if (token == null || !token.matches("[-_A-Za-z0-9]{20,200}")) {
            throw new IllegalArgumentException("not a service token");
        }
        return "# managed by pgpilot: the cluster's token for the backup service\nheader = \"Authorization: Bearer " + token + "\"\n";
    }

    /** Without prefetch one curl GET per call; with it {@link WalRestoreScript} (same exit codes). */
    public static String recoveryRestoreCommand(Recovery r) {
        if (r.prefetching()) {
            return WalRestoreScript.command();
        }
        return "code=$(" + CURL + "-sS --max-time 120 -o \"%p\" -w \"%%{http_code}\" " + r.backupServiceUrl() + "/recovery/" + r.cluster()
                + "/wal/%f); if [ \"$code\" = 200 ]; then exit 0; fi; rm -f \"%p\"; if [ \"$code\" = 404 ]; then exit 1; fi; "
                + "echo \"restore of %f failed: HTTP $code\" >&2; exit 200";
    }

    /** The recovery settings of {@link #managed} (target values are validated by the model before they get here). */
    static List<String> recoveryLines(Recovery r) {
        List<String> lines = new ArrayList<>();
        lines.add("restore_command = " + quote(recoveryRestoreCommand(r)));
        var t = r.target();
        if (t.time() != null) {
            lines.add("recovery_target_time = " + quote(io.pgpilot.model.TargetTime.postgres(t.time())));
        } else if (t.lsn() != null) {
            lines.add("recovery_target_lsn = " + quote(t.lsn()));
        } else if (t.name() != null) {
            lines.add("recovery_target_name = " + quote(t.name()));
        } else if (t.immediate()) {
            lines.add("recovery_target = 'immediate'");
        }
        if (!t.endOfWal() && !t.immediate()) {
            lines.add("recovery_target_inclusive = " + (t.inclusive() ? "on" : "off"));
        }
        lines.add("recovery_target_action = 'promote'");
        lines.add("recovery_target_timeline = 'latest'");
        return lines;
    }

    /**
     * WAL archiving through the backup service: {@code archive_command} PUTs each file to
     * {@code <url>/wal/<cluster>/%f} with curl, which exits non-zero unless the service answered 2xx
     * (given only once the file is durable in the bucket); {@code restore_command} GETs it back.
     * Both values are validated here, before they reach a command line; nothing secret is in them.
     */
    public record Archiving(String backupServiceUrl, String cluster, int maxParallel) {

        static final java.util.regex.Pattern URL =
                java.util.regex.Pattern.compile("https?://[a-zA-Z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-fA-F:]+\\](:[0-9]{1,5})?");

        public Archiving {
            if (backupServiceUrl == null || !URL.matcher(backupServiceUrl).matches()) {
                throw new IllegalArgumentException("the backup service URL must be http(s)://host[:port] without a path");
            }
            io.pgpilot.model.Names.requireCluster(cluster);
            if (maxParallel < 1 || maxParallel > 64) {
                throw new IllegalArgumentException("wal.maxParallel must be between 1 and 64");
            }
        }

        /** One segment at a time. */
        public Archiving(String backupServiceUrl, String cluster) {
            this(backupServiceUrl, cluster, 1);
        }

        /** True when archive_command runs {@link WalArchiveScript} (which the configuration writer renders into the instance directory). */
        public boolean parallel() {
            return maxParallel > 1;
        }

        /** For a cluster with {@code spec.backup} when the backup service is known; null otherwise. */
        public static Archiving of(io.pgpilot.model.ClusterDefinition cluster, String backupServiceUrl) {
            if (cluster == null || cluster.backup() == null || backupServiceUrl == null || backupServiceUrl.isBlank()) {
                return null;
            }
            return new Archiving(backupServiceUrl.replaceAll("/+$", ""), cluster.name(), cluster.backup().walParallelism());
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

    /**
     * One curl PUT per call for {@code maxParallel} 1 (as before, and CloudNativePG's default); the
     * rendered {@link WalArchiveScript} above 1.
     */
    public static String archiveCommand(Archiving a) {
        if (a.parallel()) {
            return WalArchiveScript.command();
        }
        return CURL + "-sS -f --max-time 120 -H \"Content-Type: application/octet-stream\" -T \"%p\" "
                + a.backupServiceUrl() + "/wal/" + a.cluster() + "/%f";
    }

    public static String restoreCommand(Archiving a) {
        return CURL + "-sS -f --max-time 120 -o \"%p\" " + a.backupServiceUrl() + "/wal/" + a.cluster() + "/%f";
    }

    private ConfigRenderer() {
    }

    /** A PostgreSQL configuration string literal: single quotes doubled, backslashes escaped. */
    public static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * Lines appended to the postgresql.conf initdb wrote: the user's parameters first, pgpilot's own
     * settings LAST, so that nothing in a manifest overrides replication, WAL, timeouts or archiving
     * (PostgreSQL keeps the last value of a parameter it reads).
     */
    public static String includes() {
        return "\n" + INCLUDE_MARKER + "\n"
                + "include_if_exists = " + quote(CUSTOM_FILE) + "\n"
                + "include_if_exists = " + quote(MANAGED_FILE) + "\n";
    }

    /** {@code postgresql.conf} with pgpilot's include block at its end, in the order of {@link #includes} (idempotent). */
    public static String withIncludes(String postgresqlConf) {
        String text = postgresqlConf == null ? "" : postgresqlConf;
        int marker = text.indexOf(INCLUDE_MARKER);
        if (marker >= 0) {
            String before = text.substring(0, marker);
            String after = text.substring(marker + INCLUDE_MARKER.length()).lines()
                    .filter(line -> !line.isBlank() && !line.strip().equals("include_if_exists = " + quote(MANAGED_FILE))
                            && !line.strip().equals("include_if_exists = " + quote(CUSTOM_FILE)))
                    .map(line -> line + "\n").collect(java.util.stream.Collectors.joining());
            text = (before.endsWith("\n\n") ? before.substring(0, before.length() - 1) : before) + after;
            if (!text.isEmpty() && !text.endsWith("\n")) {
                text = text + "\n";
            }
            if (text.endsWith("\n\n")) {
                text = text.substring(0, text.length() - 1);
            }
        }
        return text + includes();
    }

    /** The managed file of an instance that listens on the loopback address only (single host). */
    public static String managed(ManagedSettings s) {
        return managed(s, LOOPBACK);
    }

    /**
     * The managed file of an instance that listens on {@code nodeAddress} too (a node of a
     * multi-host platform: other hosts reach it there); the loopback address is always listened on.
     */
    public static String managed(ManagedSettings s, String nodeAddress) {
        List<String> lines = new ArrayList<>();
        lines.add("# managed by pgpilot: rewritten on every reconcile, do not edit");
        lines.add("port = " + s.port());
        lines.add("listen_addresses = " + quote(listenAddresses(nodeAddress)));
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
        // a standby answers at least every second, idle or not: the primary's self-fence counts a
        // standby only while its replies advance (SelfFencePolicy), not while its connection lingers
        lines.add("wal_receiver_status_interval = '1s'");
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
            if (s.recovery() == null) {
                lines.add("restore_command = " + quote(restoreCommand(s.archiving())));
            }
        }
        if (s.recovery() != null) {
            lines.addAll(recoveryLines(s.recovery()));
        }
        if (s.upstream() != null) {
            lines.add("primary_conninfo = " + quote(primaryConninfo(s.instanceName(), s.upstream())));
            lines.add("recovery_target_timeline = 'latest'");
        } else {
            lines.add("primary_conninfo = ''");
        }
        return String.join("\n", lines) + "\n";
    }

    /** {@code 127.0.0.1}, then the node address when it is another one. */
    public static String listenAddresses(String nodeAddress) {
        if (nodeAddress == null || nodeAddress.isBlank() || nodeAddress.equals(LOOPBACK)) {
            return LOOPBACK;
        }
        if (!nodeAddress.matches("[0-9A-Za-z.:-]+")) {
            throw new IllegalArgumentException("not a node address: " + nodeAddress);
        }
        return LOOPBACK + "," + nodeAddress;
    }

    private static final java.util.regex.Pattern CONNINFO_PORT =
            java.util.regex.Pattern.compile("(?m)^primary_conninfo = '.*\\bport=([0-9]{1,5})\\b");

    private static final java.util.regex.Pattern CONNINFO_HOST =
            java.util.regex.Pattern.compile("(?m)^primary_conninfo = 'host=''([0-9A-Za-z.:-]+)''");

    /** The upstream host in a managed file written by {@link #managed}; null when it has none. */
    public static String upstreamHost(String managedText) {
        var m = CONNINFO_HOST.matcher(managedText == null ? "" : managedText);
        return m.find() ? m.group(1) : null;
    }

    /** The upstream port in a managed file written by {@link #managed}; 0 when it has none. */
    public static int upstreamPort(String managedText) {
        var m = CONNINFO_PORT.matcher(managedText == null ? "" : managedText);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /**
     * libpq connection string for a replica: certificate authentication, the primary verified
     * against the platform CA ({@code verify-ca}, as CloudNativePG), no password. Values are
     * validated names and paths, quoted anyway.
     */
    public static String primaryConninfo(String instanceName, Upstream upstream) {
        return "host=" + connValue(upstream.host()) + " port=" + upstream.port() + " user=" + REPLICATION_USER
                + " application_name=" + connValue(instanceName) + " "
                + TlsConfig.replicationConninfo(upstream.tlsDirectory());
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

    /**
     * During the archive recovery of a new cluster the roles and passwords are the SOURCE's: the
     * provisioner resets them over the Unix socket as the OS user PostgreSQL runs as (peer, the
     * user that owns the data directory anyway), then writes {@link #hba} back.
     */
    /** pg_ident.conf of a recovering instance: its OS user may connect as the superuser over the socket. */
    public static String recoveryIdent(String osUser) {
        if (!osUser.matches("[a-z_][-a-z0-9_]{0,31}")) {
            throw new IllegalArgumentException("not an OS user name: " + io.pgpilot.model.Names.printable(osUser));
        }
        return "# managed by pgpilot: archive recovery\npgpilot  " + osUser + "  postgres\n";
    }

    public static String recoveryHba() {
        return "# managed by pgpilot: archive recovery (peer for the instance's OS user until roles are reset)\n"
                + "local   all          postgres                         peer map=pgpilot\n" + hba().lines().skip(1)
                .collect(java.util.stream.Collectors.joining("\n")) + "\n";
    }

    /**
     * Passwords for people and services (the control plane may run as root, so peer auth would
     * not fit), client certificates for replication: {@link TlsConfig#hba}
     * with plain text allowed for applications (a cluster's {@code requireTls} is applied by ConfigWriter).
     */
    public static String hba() {
        return TlsConfig.hba(false);
    }

    /** One passfile line for any host port and database; ':' and '\' escaped as libpq wants. */
    public static String passfileLine(String host, String user, String password) {
        return escapePass(host) + ":*:*:" + escapePass(user) + ":" + escapePass(password) + "\n";
    }

    private static String escapePass(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }
}
