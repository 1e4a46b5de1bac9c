package io.pgpilot.provisioner;

import io.pgpilot.events.Json;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.local.Processes;
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

    /**
     * The postmaster named in postmaster.pid is alive (not a zombie) and serves this data directory.
     * No process is spawned, and a killed postmaster that nobody reaped yet counts as stopped.
     */
    public boolean isRunning(InstanceLayout layout) {
        long pid = postmasterPid(layout);
        if (pid <= 0 || !alive(pid)) {
            return false;
        }
        try {
            String cmd = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
            return cmd.contains(layout.pgdata().toString());
        } catch (IOException e) {
            return false;
        }
    }

    /** Observation for the topology convergence: role by standby.signal, upstream from the managed file. */
    public Map<Integer, MemberState> observeMembers(String cluster) {
        Map<Integer, MemberState> result = new TreeMap<>();
        for (ObservedInstance o : observe(cluster).values()) {
            InstanceLayout layout = layout(cluster, o.ordinal());
            result.put(o.ordinal(), new MemberState(o.ordinal(), o.name(), o.port(), o.initialized(), o.standby(), o.running(),
                    o.initialized() ? ConfigRenderer.upstreamPort(readManaged(layout)) : 0));
        }
        return result;
    }

    private static String readManaged(InstanceLayout layout) {
        try {
            Path file = layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
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

    // ---- recovery from a base backup (bootstrap.recovery) --------------------------------------

    /**
     * A fresh data directory filled from a plain tar stream (the backup service's decrypted,
     * decompressed base backup), extracted by {@code tar} as the OS user; nothing is staged. Then
     * what must not come from the source is removed (signal files, pid files) and the recovery
     * configuration, pg_hba/pg_ident for the role reset and recovery.signal are written.
     */
    public void restoreBaseBackup(InstanceLayout layout, java.io.InputStream tar) {
        freshDataDirectory(layout);
        List<String> command = user.wrap(List.of("tar", "-x", "-f", "-", "-C", layout.pgdata().toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(layout.directory().toFile()).start();
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (IOException ignored) {
                    // ended
                }
            });
            try (var in = tar; var out = process.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                process.destroyForcibly();
                throw new RecoveryException(RecoveryException.Reason.UNAVAILABLE, "the base backup stream broke off: " + e.getMessage());
            }
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new RecoveryException(RecoveryException.Reason.FAILED, "tar did not finish");
            }
            reader.join(2000);
            if (process.exitValue() != 0) {
                throw new RecoveryException(RecoveryException.Reason.FAILED, "tar failed: " + output.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run tar", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecoveryException(RecoveryException.Reason.FAILED, "interrupted");
        }
        if (!Files.exists(layout.pgdata().resolve("PG_VERSION")) || !Files.exists(layout.pgdata().resolve("backup_label"))) {
            throw new RecoveryException(RecoveryException.Reason.FAILED, "the base backup has no PG_VERSION or backup_label");
        }
        try {
            for (String leftover : List.of("recovery.signal", "standby.signal", "postmaster.pid", "postmaster.opts", "recovery.conf")) {
                Files.deleteIfExists(layout.pgdata().resolve(leftover));
            }
            for (String dir : List.of("pg_wal", "pg_wal/archive_status")) {
                if (!Files.isDirectory(layout.pgdata().resolve(dir))) {
                    user.createPrivateDirectory(layout.pgdata().resolve(dir));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Files2.writePrivate(layout.pgdata().resolve("pg_hba.conf"), ConfigRenderer.recoveryHba(), user);
        Files2.writePrivate(layout.pgdata().resolve("pg_ident.conf"), ConfigRenderer.recoveryIdent(user.name()), user);
        try {
            Path conf = layout.pgdata().resolve("postgresql.conf");
            String text = Files.exists(conf) ? Files.readString(conf, StandardCharsets.UTF_8) : "";
            Files2.writePrivate(conf, ConfigRenderer.withIncludes(text), user);
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
        Files2.writePrivate(layout.pgdata().resolve("recovery.signal"), "", user);
    }

    /**
     * Waits until archive recovery ended with the promotion (PostgreSQL removes recovery.signal and
     * accepts writes) or the server stopped; a stop is reported with what its log says
     * ("recovery ended before configured recovery target was reached": the archive lacks WAL).
     */
    public void awaitPromotion(InstanceLayout layout, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean running = isRunning(layout);
            if (running && !Files.exists(layout.pgdata().resolve("recovery.signal"))) {
                return;
            }
            if (!running) {
                String tail = recoveryLog(layout);
                throw new RecoveryException(RecoveryException.classify(tail), "PostgreSQL stopped during recovery: " + tail);
            }
            if (System.nanoTime() > deadline) {
                throw new RecoveryException(RecoveryException.Reason.FAILED, "recovery did not end within " + timeout.toMinutes() + " min");
            }
            sleep(200);
        }
    }

    /** The FATAL/LOG lines that explain how a recovery ended (last server log lines). */
    String recoveryLog(InstanceLayout layout) {
        try (Stream<Path> files = Files.list(layout.logDirectory())) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
            }
            if (Files.exists(layout.startupLog())) {
                lines.addAll(Files.readAllLines(layout.startupLog(), StandardCharsets.ISO_8859_1));
            }
            List<String> telling = lines.stream().filter(l -> l.contains("FATAL") || l.contains("recovery") || l.contains("restore"))
                    .map(l -> l.replaceAll("^\\S+ \\S+ \\S+ \\[[0-9]+\\] ", "")).toList();
            List<String> last = telling.subList(Math.max(0, telling.size() - 4), telling.size());
            return last.isEmpty() ? serverLogTail(layout) : String.join(" | ", last);
        } catch (IOException | RuntimeException e) {
            return "no server log";
        }
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
                "ALTER ROLE " + ident(superuser.username()) + " WITH SUPERUSER LOGIN PASSWORD '" + verifier(superuser) + "';",
                "SELECT 'CREATE ROLE " + ident(replication.username()) + " WITH LOGIN REPLICATION' WHERE NOT EXISTS "
                        + "(SELECT 1 FROM pg_roles WHERE rolname = '" + replication.username() + "') \\gexec",
                "ALTER ROLE " + ident(replication.username()) + " WITH LOGIN REPLICATION PASSWORD '" + verifier(replication) + "';",
                "SELECT 'CREATE ROLE " + ident(owner.username()) + " WITH LOGIN' WHERE NOT EXISTS "
                        + "(SELECT 1 FROM pg_roles WHERE rolname = '" + owner.username() + "') \\gexec",
                "ALTER ROLE " + ident(owner.username()) + " WITH LOGIN PASSWORD '" + verifier(owner) + "';", "");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                runPsql(layout, port, sql);
                break;
            } catch (RecoveryException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(250); // the promoted server may still be finishing its end-of-recovery checkpoint
            }
        }
        writeBaseFiles(layout);
        Files2.writePrivate(layout.pgdata().resolve("pg_ident.conf"), "# managed by pgpilot\n", user);
        reload(layout);
    }

    private static String verifier(Credentials credentials) {
        String v = org.postgresql.util.PasswordUtil.encodeScramSha256(credentials.password().toCharArray());
        if (!v.matches("SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")) {
            throw new IllegalStateException("unexpected SCRAM verifier format");
        }
        return v;
    }

    private void runPsql(InstanceLayout layout, int port, String sql) {
        List<String> command = user.wrap(List.of(binaries.tool("psql"), "-X", "-q", "-h", layout.socketDirectory().toString(),
                "-p", String.valueOf(port), "-U", SecretStore.SUPERUSER, "-d", "postgres", "-f", "-"));
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

    /** Immediate stop (a failed recovery must not keep running) and removal of its data directory. */
    public void discard(InstanceLayout layout) {
        if (isRunning(layout)) {
            try {
                Commands.run(user, List.of(binaries.tool("pg_ctl"), "stop", "-D", layout.pgdata().toString(), "-m", "immediate", "-w"),
                        Map.of(), layout.directory(), PG_CTL_TIMEOUT);
            } catch (CommandException e) {
                log.warn("cluster={} instance={} immediate stop failed: {}", layout.cluster(), layout.instance(), e.getMessage());
            }
        }
        Files2.deleteRecursively(layout.pgdata());
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
            Files2.writePrivate(conf, ConfigRenderer.withIncludes(Files.readString(conf, StandardCharsets.UTF_8)), user);
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    /** Rewrites pgpilot.conf and custom.conf; true when either changed. */
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        try {
            if (settings.archiving() != null || settings.recovery() != null) {
                // the cluster's backup-service token for archive_command / restore_command (never on their command line)
                Files2.writePrivate(layout.directory().resolve(ConfigRenderer.CURL_CONFIG),
                        ConfigRenderer.curlConfig(new io.pgpilot.support.security.ServiceTokens(home).cluster(layout.cluster())), user);
            }
            boolean managed = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE), ConfigRenderer.managed(settings), user);
            boolean custom = Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.CUSTOM_FILE), ConfigRenderer.custom(parameters), user);
            // data directories of an earlier pgpilot included the user's file last: put pgpilot's own last
            Path conf = layout.pgdata().resolve("postgresql.conf");
            boolean order = Files.exists(conf)
                    && Files2.writePrivate(conf, ConfigRenderer.withIncludes(Files.readString(conf, StandardCharsets.UTF_8)), user);
            return managed || custom || order;
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
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
            throw new ProvisioningException(Reason.START, "cannot start " + layout.instance() + " (see " + layout.logDirectory() + "; "
                    + serverLogTail(layout) + ")", e);
        }
    }

    /** The last lines of the newest server log (FATAL reasons of a failed start); passwords never reach it. */
    String serverLogTail(InstanceLayout layout) {
        try (Stream<Path> files = Files.list(layout.logDirectory())) {
            Path newest = files.filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().lastModified())).orElse(null);
            Path file = newest == null || layout.startupLog().toFile().lastModified() > newest.toFile().lastModified()
                    ? layout.startupLog() : newest;
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "no server log";
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

    /**
     * Fast shutdown within {@code timeout}; a postmaster that does not obey (frozen by SIGSTOP, hung
     * on I/O) is killed together with its children. Returns whether the shutdown was clean.
     */
    public boolean stopOrKill(InstanceLayout layout, Duration timeout) {
        if (!isRunning(layout)) {
            return true;
        }
        long pid = postmasterPid(layout);
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "stop", "-D", layout.pgdata().toString(), "-m", "fast", "-w",
                    "-t", String.valueOf(Math.max(1, timeout.toSeconds()))), Map.of(), layout.directory(), timeout.plusSeconds(5));
            awaitExit(layout, pid);
            return true;
        } catch (CommandException | ProvisioningException e) {
            if (!isRunning(layout) && !alive(pid)) {
                return true;
            }
        }
        log.error("cluster={} instance={} did not shut down within {}: killing postmaster {} and its children",
                layout.cluster(), layout.instance(), timeout, pid);
        kill(layout, pid);
        return false;
    }

    /**
     * SIGKILL of the postmaster and its children (also when frozen by SIGSTOP), then the crash
     * leftovers are cleared. For an old primary that a failover replaced: nothing it could still
     * write would be kept, so there is no clean shutdown to wait for.
     */
    public void kill(InstanceLayout layout) {
        if (isRunning(layout)) {
            long pid = postmasterPid(layout);
            log.warn("cluster={} instance={} killing postmaster {} and its children", layout.cluster(), layout.instance(), pid);
            kill(layout, pid);
        }
    }

    private void kill(InstanceLayout layout, long pid) {
        ProcessHandle.of(pid).ifPresent(postmaster -> {
            postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
            postmaster.destroyForcibly();
        });
        awaitExit(layout, pid);
        clearCrashLeftovers(layout);
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

    static boolean alive(long pid) {
        return Processes.isRunning(pid);
    }

    static long postmasterPid(InstanceLayout layout) {
        return Processes.postmasterPid(layout.pgdata());
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

    // ---- high availability -------------------------------------------------------------------

    /** Rewrites only pgpilot.conf (the user parameters stay as they are); true when it changed. */
    public boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings) {
        try {
            return Files2.writePrivate(layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE), ConfigRenderer.managed(settings), user);
        } catch (UncheckedIOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
    }

    public void writeStandbySignal(InstanceLayout layout) {
        Files2.writePrivate(layout.pgdata().resolve("standby.signal"), "", user);
    }

    public void removeStandbySignal(InstanceLayout layout) {
        try {
            Files.deleteIfExists(layout.pgdata().resolve("standby.signal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** pg_controldata of a data directory as name -> value. */
    public Map<String, String> controlData(InstanceLayout layout) {
        try {
            String out = Commands.run(user, List.of(binaries.tool("pg_controldata"), "-D", layout.pgdata().toString()),
                    Map.of("LC_ALL", "C"), layout.directory(), Duration.ofSeconds(30));
            Map<String, String> values = new TreeMap<>();
            for (String line : out.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
            return values;
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.REWIND, "pg_controldata of " + layout.instance() + " failed", e);
        }
    }

    /** The timeline a stopped data directory is on (a standby's minimum recovery timeline counts too). */
    public int timeline(InstanceLayout layout) {
        Map<String, String> control = controlData(layout);
        int checkpoint = parseInt(control.get("Latest checkpoint's TimeLineID"));
        int minRecovery = parseInt(control.get("Min recovery ending loc's timeline"));
        return Math.max(checkpoint, minRecovery);
    }

    /** The LSN of the latest checkpoint of a stopped data directory (a clean shutdown's last record). */
    public long latestCheckpointLsn(InstanceLayout layout) {
        return io.pgpilot.events.Lsn.parse(controlData(layout).get("Latest checkpoint location"));
    }

    private static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code pg_ctl promote -w}: returns once the instance accepts writes. */
    public void promote(InstanceLayout layout) {
        try {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "promote", "-D", layout.pgdata().toString(), "-w", "-t", "60"),
                    Map.of(), layout.directory(), Duration.ofSeconds(70));
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.PROMOTE, "cannot promote " + layout.instance(), e);
        }
    }

    /**
     * After a crash (kill -9 of the postmaster) its children may linger for a moment and the pid file
     * stays: waits for the orphans (process titles carry cluster_name = the instance name), kills
     * those that do not exit, and removes the stale pid file so that PostgreSQL can start again.
     */
    public void clearCrashLeftovers(InstanceLayout layout) {
        if (isRunning(layout)) {
            return;
        }
        Path pidFile = layout.pgdata().resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            String title = "postgres: " + layout.instance() + ": ";
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            List<Long> orphans = processesTitled(title);
            while (!orphans.isEmpty() && System.nanoTime() < deadline) {
                sleep(20);
                orphans = processesTitled(title);
            }
            for (long pid : orphans) {
                log.warn("cluster={} instance={} killing orphaned backend {} of a dead postmaster", layout.cluster(), layout.instance(), pid);
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!processesTitled(title).isEmpty() && System.nanoTime() < deadline) {
                sleep(20);
            }
            deleteStaleLock(layout, pidFile, null);
        }
        // the socket lock names the dead postmaster too; an unreaped (zombie) one would block the start
        try (Stream<Path> files = Files.list(layout.socketDirectory())) {
            for (Path lock : files.filter(f -> f.getFileName().toString().matches("\\.s\\.PGSQL\\.[0-9]+\\.lock")).toList()) {
                deleteStaleLock(layout, lock, layout.socketDirectory().resolve(lock.getFileName().toString().replaceAll("\\.lock$", "")));
            }
        } catch (IOException e) {
            log.warn("cluster={} instance={} cannot list {}: {}", layout.cluster(), layout.instance(), layout.socketDirectory(), e.toString());
        }
    }

    /** Removes a lock file (and its socket) whose pid is dead or a zombie. */
    private static void deleteStaleLock(InstanceLayout layout, Path lock, Path socket) {
        try {
            List<String> lines = Files.readAllLines(lock);
            long pid = lines.isEmpty() ? -1 : Long.parseLong(lines.getFirst().trim());
            if (pid > 0 && alive(pid)) {
                return;
            }
            if (socket != null) {
                Files.deleteIfExists(socket);
            }
            Files.deleteIfExists(lock);
            log.info("cluster={} instance={} removed {} of dead postmaster {}", layout.cluster(), layout.instance(), lock.getFileName(), pid);
        } catch (IOException | NumberFormatException e) {
            log.warn("cluster={} instance={} cannot clear {}: {}", layout.cluster(), layout.instance(), lock.getFileName(), e.toString());
        }
    }

    private static List<Long> processesTitled(String prefix) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (cmd.startsWith(prefix) && alive(pid)) {
                        pids.add(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // poll interval
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * pg_rewind from the running primary, as the unprivileged OS user. The superuser password goes
     * through a passfile of mode 600 removed right after. pg_rewind copies the source's configuration
     * files: the caller rewrites the managed configuration afterwards.
     */
    public void rewind(InstanceLayout layout, int primaryPort, Credentials superuser) {
        Path passfile = layout.directory().resolve("rewind.pgpass");
        try {
            Files2.writePrivate(passfile, ConfigRenderer.passfileLine(HOST, superuser.username(), superuser.password()), user);
            String source = "host=" + HOST + " port=" + primaryPort + " user=" + superuser.username() + " dbname=postgres passfile="
                    + passfile;
            Commands.run(user, List.of(binaries.tool("pg_rewind"), "--target-pgdata=" + layout.pgdata(), "--source-server=" + source,
                    "--progress"), Map.of(), layout.directory(), BASEBACKUP_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.REWIND, "pg_rewind of " + layout.instance() + " failed", e);
        } finally {
            try {
                Files.deleteIfExists(passfile);
            } catch (IOException e) {
                log.warn("cluster={} instance={} could not remove the rewind passfile: {}", layout.cluster(), layout.instance(), e.toString());
            }
        }
        writeBaseFiles(layout);
    }

    /** The highest LSN a standby has: received by its WAL receiver or replayed from local WAL. */
    public long receivedLsn(int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text")) {
            rs.next();
            return Math.max(io.pgpilot.events.Lsn.parse(rs.getString(1)), io.pgpilot.events.Lsn.parse(rs.getString(2)));
        }
    }

    /**
     * Right after a promotion the control file still names the old timeline until the first
     * checkpoint ends, and pg_rewind reads the source's timeline from there: it would answer "no
     * rewind required" for a diverged target. Forces that checkpoint when it is missing.
     */
    public void checkpointIfTimelineNotRecorded(int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement()) {
            boolean behind;
            try (ResultSet rs = st.executeQuery("SELECT (SELECT timeline_id FROM pg_control_checkpoint()) <> "
                    + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")) {
                rs.next();
                behind = rs.getBoolean(1);
            }
            if (behind) {
                st.execute("CHECKPOINT");
            }
        }
    }

    /** Whether a running instance is in recovery, and the timeline of the WAL it writes or replays. */
    public record Role(boolean inRecovery, int timeline) {
    }

    private static final String ROLE_SQL = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
            + "THEN (SELECT received_tli FROM pg_stat_wal_receiver) "
            + "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END";

    public Role role(int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement()) {
            return role(st);
        }
    }

    private static Role role(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(ROLE_SQL)) {
            rs.next();
            return new Role(rs.getBoolean(1), rs.getInt(2));
        }
    }

    /**
     * Promotes a running standby over one SQL connection ({@code pg_promote(false)}) and polls
     * {@code pg_is_in_recovery()} every 10 ms on it: returns the role once it accepts writes (the
     * instance's own answer, unlike {@code pg_ctl promote -w}, which reads the control file and
     * polls every 100 ms). Throws SQLException when it cannot be asked (the caller falls back to pg_ctl).
     */
    public Role promoteOverSql(int port, Credentials superuser, Duration timeout) throws SQLException {
        try (Connection c = connect(port, "postgres", superuser); Statement st = c.createStatement()) {
            st.execute("SELECT pg_promote(false)");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Role role = role(st);
                if (!role.inRecovery()) {
                    return role;
                }
                if (System.nanoTime() > deadline) {
                    throw new ProvisioningException(Reason.PROMOTE, "promotion requested but still in recovery after " + timeout);
                }
                sleep(10); // poll interval while the startup process finishes recovery
            }
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
