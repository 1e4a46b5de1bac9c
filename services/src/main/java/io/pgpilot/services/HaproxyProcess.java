package io.pgpilot.services;

import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one HAProxy of this machine's access layer, in master-worker mode ({@code -W}) with a pid
 * file and a master CLI socket under {@code <home>/services/}. Configuration changes are written
 * atomically, validated with {@code haproxy -c}, then loaded with the master CLI {@code reload}.
 * <p>
 * A reload leaves the previous worker running for the sessions it already has; sessions in such
 * old workers whose backend/server pair is no longer in the configuration are shut down through the
 * master CLI ({@code @!<pid> show sess} + {@code shutdown session}), so that, e.g., a client of the
 * old primary on {@code rw} is disconnected right after a switchover. Not thread-safe.
 */
public final class HaproxyProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HaproxyProcess.class);
    private static final OsUser CURRENT_USER = new OsUser(System.getProperty("user.name"), false);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** HAProxy runs at this niceness (workers inherit it across reloads). */
    static final int NICENESS = -10;

    /** The configuration did not pass {@code haproxy -c}: it was not installed. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }

    private final String binary;
    private final Path dir;
    private final Path configFile;
    private final Path pidFile;
    private final Path masterSocket;
    private final Path statsSocket;
    private final Path logFile;
    private ProcessHandle master;
    private String loadedConfig;

    public HaproxyProcess(String binary, Path dir) {
        this.binary = binary;
        this.dir = dir.toAbsolutePath();
        this.configFile = this.dir.resolve("haproxy.cfg");
        this.pidFile = this.dir.resolve("haproxy.pid");
        this.masterSocket = this.dir.resolve("master.sock");
        this.statsSocket = this.dir.resolve("haproxy.sock");
        this.logFile = this.dir.resolve("haproxy.log");
    }

    public Path statsSocket() {
        return statsSocket;
    }

    public Path configFile() {
        return configFile;
    }

    public Optional<Long> masterPid() {
        return master != null && master.isAlive() ? Optional.of(master.pid()) : Optional.empty();
    }

    public boolean running() {
        return master != null && master.isAlive();
    }

    /**
     * Takes over an HAProxy left by a previous run of this service (found through the pid file and
     * checked to be running our configuration); anything else in the pid file is forgotten.
     */
    public boolean adopt() {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(pidFile)) {
                return false;
            }
            String content = Files.readString(pidFile).strip();
            Optional<ProcessHandle> handle = content.matches("[0-9]{1,10}")
                    ? ProcessHandle.of(Long.parseLong(content)) : Optional.empty();
            if (handle.isPresent() && handle.get().isAlive() && isOurs(handle.get().pid())) {
                master = handle.get();
                loadedConfig = null; // unknown: the next apply reloads
                log.info("adopted running HAProxy master {} ({})", master.pid(), configFile);
                return true;
            }
            log.info("pid file {} names no HAProxy of ours ('{}'), starting afresh", pidFile, content);
            Files.deleteIfExists(pidFile);
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isOurs(long pid) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
            return cmdline.contains("haproxy") && cmdline.contains(configFile.toString()) && cmdline.contains(masterSocket.toString());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes HAProxy serve {@code config}: validate, install atomically, then start or reload.
     * Returns false when it already serves exactly this text.
     */
    public boolean apply(String config) {
        if (config.equals(loadedConfig) && running()) {
            return false;
        }
        install(config);
        if (running()) {
            reload();
        } else {
            startProcess();
        }
        loadedConfig = config;
        return true;
    }

    /** The configuration text HAProxy serves (null: unknown, e.g. adopted). */
    public String loadedConfig() {
        return running() ? loadedConfig : null;
    }

    /**
     * Brings the running worker to {@code config} through the runtime API ({@code commands}, e.g.
     * {@code set server <proxy>/<server> state ready}), without a reload: the caller guarantees that
     * the commands turn the loaded configuration into exactly {@code config}, which is then installed
     * for the next start or reload. A failure falls back to a reload.
     */
    public void applyAtRuntime(String config, List<String> commands) {
        Optional<Long> worker = currentWorker();
        try {
            if (worker.isEmpty()) {
                throw new IllegalStateException("no HAProxy worker");
            }
            for (String command : commands) {
                String answer = cli("@!" + worker.get() + " " + command).strip();
                if (!answer.isEmpty()) {
                    throw new IllegalStateException("'" + command + "' answered: " + answer);
                }
            }
        } catch (RuntimeException e) {
            log.warn("runtime switch failed ({}), reloading instead", e.getMessage());
            loadedConfig = null;
            apply(config);
            return;
        }
        // the text differs from the validated, loaded one only in the servers just switched: written
        // for the next start or reload without another 'haproxy -c' (a fork, off the critical path)
        try {
            Path candidate = dir.resolve("haproxy.cfg.new");
            Files.writeString(candidate, config);
            Files.move(candidate, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loadedConfig = config;
    }

    /** Restarts HAProxy with the installed configuration if it died. Returns true if it had to. */
    public boolean ensureRunning() {
        if (running() || loadedConfig == null) {
            return false;
        }
        log.warn("HAProxy master {} is gone, restarting it", master == null ? "?" : master.pid());
        startProcess();
        return true;
    }

    private void install(String config) {
        try {
            Files.createDirectories(dir);
            Path candidate = dir.resolve("haproxy.cfg.new");
            Files.writeString(candidate, config);
            try {
                Commands.run(CURRENT_USER, List.of(binary, "-c", "-q", "-f", candidate.toString()), Map.of(), dir,
                        Duration.ofSeconds(30));
            } catch (CommandException e) {
                throw new InvalidConfigException("HAProxy rejected the configuration " + candidate + ": " + e.getMessage());
            }
            Files.move(candidate, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startProcess() {
        try {
            Files.deleteIfExists(masterSocket);
            Files.deleteIfExists(pidFile);
            // a higher scheduling priority (nice -10, which only root may set; otherwise nice says so
            // in the log and HAProxy runs at the normal priority): HAProxy's work per forwarded
            // message is tiny, but every client round trip waits for it to be scheduled, twice
            ProcessBuilder builder = new ProcessBuilder("nice", "-n", String.valueOf(NICENESS), binary, "-W", "-S",
                    masterSocket + ",mode,600", "-p", pidFile.toString(), "-f", configFile.toString())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Process process = builder.start();
            master = process.toHandle();
            await("HAProxy to start", START_TIMEOUT, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("HAProxy exited with " + process.exitValue() + ", see " + logFile);
                }
                return Files.exists(masterSocket) && currentWorker().isPresent();
            });
            log.info("started HAProxy master {} serving {}", process.pid(), configFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    private void reload() {
        HaproxyCliOutput.Processes before = processes();
        cli("reload");
        long previousWorker = before.workers().isEmpty() ? -1 : before.workers().getFirst();
        await("HAProxy to reload", START_TIMEOUT, () -> {
            if (!running()) {
                throw new IllegalStateException("HAProxy master died during reload, see " + logFile);
            }
            try {
                HaproxyCliOutput.Processes now = processes();
                return now.reloads() > before.reloads() && !now.workers().isEmpty() && !now.workers().contains(previousWorker);
            } catch (RuntimeException e) {
                return false; // the master re-executes itself: its socket is briefly unavailable
            }
        });
        log.info("reloaded HAProxy ({})", configFile);
    }

    private Optional<Long> currentWorker() {
        try {
            HaproxyCliOutput.Processes p = processes();
            return p.workers().isEmpty() ? Optional.empty() : Optional.of(p.workers().getFirst());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public HaproxyCliOutput.Processes processes() {
        return HaproxyCliOutput.parseProcesses(cli("show proc"));
    }

    /**
     * In every old (draining) worker, shuts down the sessions whose {@code backend/server} is not
     * in {@code keep}. Returns how many were shut down.
     */
    public int shutDownStaleSessions(Set<String> keep) {
        if (!running()) {
            return 0;
        }
        int count = 0;
        for (long worker : processes().oldWorkers()) {
            String sessions;
            try {
                sessions = cli("@!" + worker + " show sess");
            } catch (RuntimeException e) {
                log.debug("old HAProxy worker {} did not answer: {}", worker, e.toString());
                continue;
            }
            for (HaproxyCliOutput.Session s : HaproxyCliOutput.parseSessions(sessions)) {
                if ("<NONE>".equals(s.backend()) || "<none>".equals(s.server()) || keep.contains(s.backend() + "/" + s.server())) {
                    continue;
                }
                cli("@!" + worker + " shutdown session " + s.id());
                log.info("cluster {}: closed a session to {} through {} (no longer routed there)",
                        clusterOf(s.backend()), s.server(), s.backend());
                count++;
            }
        }
        return count;
    }

    private static String clusterOf(String proxy) {
        int dash = proxy.lastIndexOf('-');
        return dash > 0 ? proxy.substring(0, dash) : proxy;
    }

    /** Sends one command to the master CLI and returns its whole answer. */
    String cli(String command) {
        if (command.indexOf('\n') >= 0 || command.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one command at a time");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }, CompletableFuture.delayedExecutor(CLI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            try {
                channel.connect(UnixDomainSocketAddress.of(masterSocket));
                channel.write(ByteBuffer.wrap((command + ";quit\n").getBytes(StandardCharsets.US_ASCII)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(16384);
                while (channel.read(buffer) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                return out.toString(StandardCharsets.UTF_8);
            } finally {
                watchdog.cancel(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy master CLI (" + masterSocket + ") failed on '" + command + "'", e);
        }
    }

    /** Stops HAProxy (master and workers) and removes the pid file. */
    public void stop() {
        if (master == null) {
            return;
        }
        List<ProcessHandle> family = new ArrayList<>(master.descendants().toList());
        family.add(master);
        if (master.isAlive()) {
            log.info("stopping HAProxy master {}", master.pid());
            master.destroy();
        }
        for (ProcessHandle p : family) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        master = null;
        loadedConfig = null;
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", pidFile, e.toString());
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20); // poll interval
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }
}
