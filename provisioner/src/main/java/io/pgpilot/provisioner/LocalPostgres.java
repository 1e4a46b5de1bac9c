package io.pgpilot.provisioner;

import io.pgpilot.events.Json;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import io.pgpilot.provisioner.ConfigRenderer.ManagedSettings;
import io.pgpilot.provisioner.ProvisioningException.Reason;
import io.pgpilot.provisioner.SecretStore.Credentials;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local backend's hands: runs initdb, pg_basebackup and pg_ctl as the unprivileged OS user,
 * writes configuration into data directories and talks SQL to the primary. Passwords travel only
 * in files of mode 600 owned by that user (pwfile, passfile), never on a command line.
 */
public final class LocalPostgres {

    public static final String HOST = "127.0.0.1";
    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Object PORT_LOCK = new Object();
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration BASEBACKUP_TIMEOUT = Duration.ofHours(6);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofMinutes(5);

    private final PostgresBinaries binaries;
    private final OsUser user;
    private final Path home;
    private final int basePort;

    public LocalPostgres(PostgresBinaries binaries, OsUser user, Path home, int basePort) {
        this.binaries = binaries;
        this.user = user;
        this.home = home.toAbsolutePath();
        this.basePort = basePort;
    }

    public Path home() {
        return home;
    }

    public OsUser user() {
        return user;
    }

    public InstanceLayout layout(String cluster, int ordinal) {
        return InstanceLayout.of(home, cluster, ordinal);
    }

    // ---- observation -------------------------------------------------------------------------

    /** Every instance directory of a cluster (with its persisted port), whether it runs or not. */
    public Map<Integer, ObservedInstance> observe(String cluster) {
        Map<Integer, ObservedInstance> result = new TreeMap<>();
        for (int ordinal : ordinals(cluster)) {
            InstanceLayout layout = layout(cluster, ordinal);
            InstanceMetadata metadata = readMetadata(layout);
            int port = metadata == null ? 0 : metadata.port();
            boolean initialized = layout.initialized();
            result.put(ordinal, new ObservedInstance(ordinal, layout.instance(), port, initialized,
                    initialized && layout.standby(), initialized && isRunning(layout)));
        }
        return result;
    }

    /** Clusters that have a directory under the home. */
    public List<String> clusters() {
        Path dir = InstanceLayout.clustersDirectory(home);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> Names.CLUSTER.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Integer> ordinals(String cluster) {
        Path dir = InstanceLayout.clusterDirectory(home, cluster);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern pattern = Pattern.compile(Pattern.quote(cluster) + "-([1-9][0-9]{0,2})");
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory)
                    .map(p -> pattern.matcher(p.getFileName().toString()))
                    .filter(java.util.regex.Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isRunning(InstanceLayout layout) {
        if (!Files.exists(layout.pgdata().resolve("postmaster.pid"))) {
            return false;
        }
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "status", "-D", layout.pgdata().toString()), Map.of(),
                    layout.directory(), Duration.ofSeconds(30));
            return true;
        } catch (CommandException e) {
            return false;
        }
    }

    public InstanceMetadata readMetadata(InstanceLayout layout) {
        Path file = layout.metadataFile();
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Json.read(Files.readString(file), InstanceMetadata.class);
        } catch (IOException | RuntimeException e) {
            throw new ProvisioningException(Reason.LAYOUT, "unreadable " + file, e);
        }
    }

    // ---- creation ----------------------------------------------------------------------------

    /** Creates the instance directories and assigns (once, persisted) a port. */
    public InstanceMetadata prepare(InstanceLayout layout) {
        try {
            user.requireTraversable(home);
            Path clusters = InstanceLayout.clustersDirectory(home);
            Path clusterDir = layout.directory().getParent();
            for (Path dir : List.of(clusters, clusterDir)) {
                if (!Files.exists(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            user.createPrivateDirectory(layout.directory());
            user.createPrivateDirectory(layout.socketDirectory());
            user.createPrivateDirectory(layout.logDirectory());
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new ProvisioningException(Reason.LAYOUT, "cannot create " + layout.directory(), e);
        }
        synchronized (PORT_LOCK) {
            InstanceMetadata existing = readMetadata(layout);
            if (existing != null) {
                return existing;
            }
            int port = PortAllocator.choose(basePort, assignedPorts(), LocalPostgres::portFree);
            InstanceMetadata metadata = new InstanceMetadata(layout.cluster(), layout.instance(), layout.ordinal(), port);
            Files2.writePrivate(layout.metadataFile(), Json.write(metadata) + "\n", user);
            return metadata;
        }
    }

    private Set<Integer> assignedPorts() {
        Set<Integer> ports = new HashSet<>();
        for (String cluster : clusters()) {
            for (int ordinal : ordinals(cluster)) {
                InstanceMetadata m = readMetadata(layout(cluster, ordinal));
                if (m != null) {
                    ports.add(m.port());
                }
            }
        }
        return ports;
    }

    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An empty private data directory (whatever a failed earlier attempt left is removed). */
    private void freshDataDirectory(InstanceLayout layout) {
        Files2.deleteRecursively(layout.pgdata());
        user.createPrivateDirectory(layout.pgdata());
    }

    /** initdb with checksums and SCRAM; the superuser password goes through a 600 pwfile removed right after. */
    public void initPrimary(InstanceLayout layout, Credentials superuser) {
        freshDataDirectory(layout);
        Path pwfile = layout.directory().resolve(".initdb.pw");
        try {
            Files2.writePrivate(pwfile, superuser.password() + "\n", user);
            Commands.run(user, List.of(binaries.tool("initdb"), "-D", layout.pgdata().toString(), "--data-checksums",
                    "-A", "scram-sha-256", "--pwfile=" + pwfile, "-U", SecretStore.SUPERUSER, "-E", "UTF8", "--locale=C"),
                    Map.of(), layout.directory(), INITDB_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.INITDB, "initdb of " + layout.instance() + " failed", e);
        } finally {
            try {
                Files.deleteIfExists(pwfile);
            } catch (IOException e) {
                log.warn("cluster={} instance={} could not remove the initdb password file: {}", layout.cluster(), layout.instance(), e.toString());
            }
        }
        writeBaseFiles(layout);
    }

    /** Clones the primary with pg_basebackup (streaming WAL, fast checkpoint) and marks the copy a standby. */
    public void cloneReplica(InstanceLayout layout, int primaryPort, Credentials replication) {
        freshDataDirectory(layout);
        writePassfile(layout, replication);
        try {
            Commands.run(user, List.of(binaries.tool("pg_basebackup"), "-h", HOST, "-p", String.valueOf(primaryPort),
                    "-U", replication.username(), "-D", layout.pgdata().toString(), "-X", "stream", "-c", "fast",
                    "--no-password"), Map.of("PGPASSFILE", layout.replicationPassfile().toString()),
                    layout.directory(), BASEBACKUP_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.BASEBACKUP, "pg_basebackup of " + layout.instance() + " failed", e);
        }
        Files2.writePrivate(layout.pgdata().resolve("standby.signal"), "", user);
        writeBaseFiles(layout);
    }

    public void writePassfile(InstanceLayout layout, Credentials replication) {
        Files2.writePrivate(layout.replicationPassfile(),
                ConfigRenderer.passfileLine(HOST, replication.username(), replication.password()), user);
    }

    /** pg_hba.conf and the include lines in postgresql.conf (once). */
    private void writeBaseFiles(InstanceLayout layout) {
        try {
            Files2.writePrivate(layout.pgdata().resolve("pg_hba.conf"), ConfigRenderer.hba(), user);
            Path conf = layout.pgdata().resolve("postgresql.conf");
            String text = Files.readString(conf, StandardCharsets.UTF_8);
            if (!text.contains(ConfigRenderer.INCLUDE_MARKER)) {
                Files2.writePrivate(conf, text + ConfigRenderer.includes(), user);
            }
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    /** Rewrites pgpilot.conf and custom.conf; true when either changed. */
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        try {
            boolean managed = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE), ConfigRenderer.managed(settings), user);
            boolean custom = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.CUSTOM_FILE), ConfigRenderer.custom(parameters), user);
            return managed || custom;
        } catch (UncheckedIOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    // ---- process control ---------------------------------------------------------------------

    public void start(InstanceLayout layout) {
        if (isRunning(layout)) {
            return;
        }
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "start", "-D", layout.pgdata().toString(), "-w", "-t",
                    String.valueOf(PG_CTL_TIMEOUT.toSeconds() - 10), "-l", layout.startupLog().toString()),
                    Map.of(), layout.directory(), PG_CTL_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.START, "cannot start " + layout.instance() + " (see " + layout.logDirectory() + ")", e);
        }
    }

    /** Fast shutdown (sessions cut, checkpoint, data kept); nothing to do when it is not running. */
    public void stop(InstanceLayout layout) {
        if (!isRunning(layout)) {
            return;
        }
        long pid = postmasterPid(layout);
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "stop", "-D", layout.pgdata().toString(), "-m", "fast", "-w",
                    "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds() - 10)), Map.of(), layout.directory(), PG_CTL_TIMEOUT);
        } catch (CommandException e) {
            if (isRunning(layout)) {
                throw new ProvisioningException(Reason.STOP, "cannot stop " + layout.instance(), e);
            }
        }
        long t = System.nanoTime();
        awaitExit(layout, pid);
        log.debug("cluster={} instance={} postmaster {} exited {} ms after pg_ctl stop returned", layout.cluster(), layout.instance(), pid,
                (System.nanoTime() - t) / 1_000_000);
    }

    /** pg_ctl returns once the pid file is gone; the postmaster process itself ends a moment later. */
    private static void awaitExit(InstanceLayout layout, long pid) {
        if (pid <= 0) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                throw new ProvisioningException(Reason.STOP, "postmaster " + pid + " of " + layout.instance() + " did not exit");
            }
            try {
                Thread.sleep(20); // poll interval
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A process that has exited but was not reaped yet (a zombie waiting for its new parent) counts as gone. */
    static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static long postmasterPid(InstanceLayout layout) {
        try {
            List<String> lines = Files.readAllLines(layout.pgdata().resolve("postmaster.pid"));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.getFirst().trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public void reload(InstanceLayout layout) {
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "reload", "-D", layout.pgdata().toString()), Map.of(),
                    layout.directory(), Duration.ofSeconds(30));
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot reload " + layout.instance(), e);
        }
    }

    /** Stops the instance and removes its whole directory. */
    public void remove(InstanceLayout layout) {
        stop(layout);
        try {
            Files2.deleteRecursively(layout.directory());
        } catch (UncheckedIOException e) {
            throw new ProvisioningException(Reason.DELETE, "cannot remove " + layout.directory(), e);
        }
    }

    // ---- SQL ---------------------------------------------------------------------------------

    public Connection connect(int port, String database, Credentials credentials) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.username());
        props.setProperty("password", credentials.password());
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "pgpilot-provisioner");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port + "/" + database, props);
    }

    /**
     * Creates what is missing among the replication role, the owner role and the application
     * database. Passwords are set as SCRAM verifiers computed by the driver: no plain password in
     * any SQL text or server log. The session commits locally so it cannot wait for absent standbys.
     */
    public void ensureDatabase(int port, ClusterDefinition cluster, Credentials superuser, Credentials replication,
                               Credentials owner) {
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", replication.username())) {
                st.execute("CREATE ROLE " + ident(replication.username()) + " WITH LOGIN REPLICATION");
                c.unwrap(PGConnection.class).alterUserPassword(replication.username(), replication.password().toCharArray(), "scram-sha-256");
            }
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", owner.username())) {
                st.execute("CREATE ROLE " + ident(owner.username()) + " WITH LOGIN");
                c.unwrap(PGConnection.class).alterUserPassword(owner.username(), owner.password().toCharArray(), "scram-sha-256");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", cluster.database())) {
                st.execute("CREATE DATABASE " + ident(cluster.database()) + " OWNER " + ident(owner.username()));
            }
        } catch (SQLException e) {
            throw new ProvisioningException(Reason.BOOTSTRAP_SQL, "cannot create roles and database of " + cluster.name()
                    + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    /** Settings in the files that the running server could not apply (they need a restart). */
    public List<String> pendingRestart(int port, Credentials superuser) {
        List<String> names = new ArrayList<>();
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT name FROM pg_file_settings WHERE error IS NOT NULL ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            log.warn("port={} cannot read pending restart settings: SQLState {}", port, e.getSQLState());
        }
        return names;
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Quotes an identifier already validated against {@link Names#SQL_IDENTIFIER}. */
    static String ident(String name) {
        if (!Names.SQL_IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a safe identifier: " + Names.printable(name));
        }
        return "\"" + name + "\"";
    }
}
