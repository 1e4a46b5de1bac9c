package io.pgpilot.node;

import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.LocalNodeOperations;
import io.pgpilot.instance.node.ManagerSpec;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent's instance managers: one {@code InstanceManagerMain} process beside every instance
 * the node holds for a cluster whose {@link ManagerSpec} the control plane sent. They probe their
 * instance locally, publish its heartbeats and fence it on this host when it is a primary cut off
 * from Kafka and from a majority (safety rule 2): nothing on another host can. Every second the
 * running set is brought to {@link ManagerPlan}: a manager that exited is started again, a changed
 * spec restarts it, a removed instance stops it. Each manager is its own process (a crash of the
 * agent leaves them running; the next agent replaces them, {@link #start}), its configuration and
 * log under {@code <home>/managers/}.
 */
final class InstanceManagers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceManagers.class);
    static final String MAIN = "io.pgpilot.instance.runtime.InstanceManagerMain";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private record Running(ManagerLaunch launch, Process process) {
    }

    private final LocalNodeOperations node;
    private final ManagerLaunch.ManagerSettings settings;
    private final Path directory;
    private final List<String> javaCommand;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("instance-managers").daemon().factory());

    private InstanceManagers(LocalNodeOperations node, ManagerLaunch.ManagerSettings settings, Path home, List<String> javaCommand) {
        this.node = node;
        this.settings = settings;
        this.directory = home.toAbsolutePath().resolve("managers");
        this.javaCommand = javaCommand;
    }

    /** Replaces the managers a previous agent left running, then converges every second. */
    static InstanceManagers start(LocalNodeOperations node, ManagerLaunch.ManagerSettings settings, Path home) {
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms16m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
                "-cp", System.getProperty("java.class.path"), MAIN);
        InstanceManagers managers = new InstanceManagers(node, settings, home, java);
        managers.prepareDirectory();
        managers.killLeftovers();
        managers.ticker.scheduleWithFixedDelay(managers::convergeSafely, 0, 1, TimeUnit.SECONDS);
        return managers;
    }

    /** Instance -> pid of its manager now (for tests and the agent's log). */
    Map<String, Long> pids() {
        Map<String, Long> pids = new HashMap<>();
        running.forEach((instance, r) -> {
            if (r.process().isAlive()) {
                pids.put(instance, r.process().pid());
            }
        });
        return pids;
    }

    private void convergeSafely() {
        try {
            converge();
        } catch (RuntimeException e) {
            log.error("instance managers not converged: {}", e.toString());
        }
    }

    synchronized void converge() {
        Map<String, ManagerLaunch> alive = new HashMap<>();
        running.forEach((instance, r) -> {
            if (r.process().isAlive()) {
                alive.put(instance, r.launch());
            } else {
                log.warn("cluster={} instance={} instance manager exited (code {}): starting it again", r.launch().cluster(), instance,
                        r.process().exitValue());
            }
        });
        running.keySet().retainAll(alive.keySet());
        ManagerPlan plan = ManagerPlan.of(desired(), alive);
        for (String instance : plan.stop()) {
            stop(instance, "its instance is no longer on this node");
        }
        for (ManagerLaunch launch : plan.restart()) {
            stop(launch.instance(), "its configuration changed");
            launch(launch);
        }
        plan.start().forEach(this::launch);
    }

    /** Every instance here with a port, of a cluster whose spec this node has. */
    private Map<String, ManagerLaunch> desired() {
        Map<String, ManagerLaunch> desired = new HashMap<>();
        for (String cluster : node.clusters()) {
            Optional<ManagerSpec> spec = node.managerSpec(cluster);
            if (spec.isEmpty()) {
                continue;
            }
            for (int ordinal : node.ordinals(cluster)) {
                InstanceMetadata metadata = node.readMetadata(new InstanceRef(cluster, ordinal));
                if (metadata == null) {
                    continue; // being prepared: no port yet
                }
                InstanceLayout layout = node.layout(cluster, ordinal);
                desired.put(layout.instance(), ManagerLaunch.of(settings, cluster, layout.instance(), spec.get(), metadata.port(),
                        layout.pgdata(), node.pgBinDirectory(), node.superuserFile(cluster)));
            }
        }
        return desired;
    }

    private void launch(ManagerLaunch launch) {
        String instance = Names.requireInstance(launch.instance());
        try {
            Path config = directory.resolve(instance + ".properties");
            Files2.writePrivate(config, launch.file(), null);
            Path logFile = directory.resolve(instance + ".log");
            Process process = new ProcessBuilder(command(config)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            Files.writeString(pidFile(instance), process.pid() + "\n");
            running.put(instance, new Running(launch, process));
            log.info("cluster={} instance={} instance manager started (pid {}, cluster size {}, log {})", launch.cluster(), instance,
                    process.pid(), launch.properties().get("cluster-size"), logFile);
        } catch (IOException | RuntimeException e) {
            log.error("cluster={} instance={} instance manager not started: {}", launch.cluster(), instance, e.getMessage());
        }
    }

    private List<String> command(Path config) {
        List<String> command = new java.util.ArrayList<>(javaCommand);
        command.add(config.toString());
        return command;
    }

    private void stop(String instance, String why) {
        Running r = running.remove(instance);
        if (r == null) {
            return;
        }
        log.info("cluster={} instance={} stopping its instance manager: {}", r.launch().cluster(), instance, why);
        terminate(r.process().toHandle());
        try {
            Files.deleteIfExists(pidFile(instance));
        } catch (IOException e) {
            log.warn("cluster={} instance={} pid file not removed: {}", r.launch().cluster(), instance, e.getMessage());
        }
    }

    private static void terminate(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }

    /** Managers of a previous agent (pid files whose process still runs our main class): stopped, the loop starts them afresh. */
    private void killLeftovers() {
        try (var files = Files.list(directory)) {
            for (Path pidFile : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                try {
                    long pid = Long.parseLong(Files.readString(pidFile).strip());
                    ProcessHandle.of(pid).filter(p -> p.info().commandLine().map(c -> c.contains(MAIN)).orElse(false))
                            .ifPresent(p -> {
                                log.info("stopping instance manager {} left by a previous node agent", pid);
                                terminate(p);
                            });
                } catch (NumberFormatException | IOException e) {
                    log.warn("unreadable pid file {}: {}", pidFile, e.getMessage());
                }
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            log.warn("leftover instance managers not checked: {}", e.getMessage());
        }
    }

    private void prepareDirectory() {
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + directory, e);
        }
    }

    private Path pidFile(String instance) {
        return directory.resolve(instance + ".pid");
    }

    /** Stops every manager (the agent stops; the instances keep running). */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        List.copyOf(running.keySet()).forEach(instance -> stop(instance, "the node agent stops"));
    }
}
