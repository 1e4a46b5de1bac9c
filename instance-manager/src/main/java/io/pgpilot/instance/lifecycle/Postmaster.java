package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.local.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The postmaster of a data directory as the operating system sees it: its pid, whether it lives, its children. */
public final class Postmaster {

    private Postmaster() {
    }

    /**
     * The postmaster named in postmaster.pid is alive (not a zombie) and serves this data directory.
     * No process is spawned, and a killed postmaster that nobody reaped yet counts as stopped.
     */
    public static boolean isRunning(InstanceLayout layout) {
        long pid = pid(layout);
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

    public static boolean alive(long pid) {
        return Processes.isRunning(pid);
    }

    public static long pid(InstanceLayout layout) {
        return Processes.postmasterPid(layout.pgdata());
    }

    /** pg_ctl returns once the pid file is gone; the postmaster process itself ends a moment later. */
    static void awaitExit(InstanceLayout layout, long pid) {
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

    /** Live processes whose title (command line) starts with {@code prefix}. */
    static List<Long> processesTitled(String prefix) {
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

    /** A poll interval; interruption ends the wait with an exception. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
