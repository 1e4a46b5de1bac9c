package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.layout.InstanceLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** What a crashed postmaster leaves behind: orphaned backends, a stale pid file, stale socket locks. */
public final class CrashLeftovers {

    private static final Logger log = LoggerFactory.getLogger(CrashLeftovers.class);

    private CrashLeftovers() {
    }

    /**
     * After a crash (kill -9 of the postmaster) its children may linger for a moment and the pid file
     * stays: waits for the orphans (process titles carry cluster_name = the instance name), kills
     * those that do not exit, and removes the stale pid file so that PostgreSQL can start again.
     */
    public static void clear(InstanceLayout layout) {
        if (Postmaster.isRunning(layout)) {
            return;
        }
        Path pidFile = layout.pgdata().resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            String title = "postgres: " + layout.instance() + ": ";
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            List<Long> orphans = Postmaster.processesTitled(title);
            while (!orphans.isEmpty() && System.nanoTime() < deadline) {
                Postmaster.sleep(20);
                orphans = Postmaster.processesTitled(title);
            }
            for (long pid : orphans) {
                log.warn("cluster={} instance={} killing orphaned backend {} of a dead postmaster", layout.cluster(), layout.instance(), pid);
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Postmaster.processesTitled(title).isEmpty() && System.nanoTime() < deadline) {
                Postmaster.sleep(20);
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
            if (pid > 0 && Postmaster.alive(pid)) {
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
}
