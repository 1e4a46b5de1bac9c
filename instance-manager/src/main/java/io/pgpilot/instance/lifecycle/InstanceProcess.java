package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An instance's process lifecycle with pg_ctl, run as the unprivileged OS user: start, stop (fast,
 * or killed when it does not obey), reload, promote, and the standby.signal that decides whether it
 * starts as a standby.
 */
public final class InstanceProcess {

    private static final Logger log = LoggerFactory.getLogger(InstanceProcess.class);
    static final Duration PG_CTL_TIMEOUT = Duration.ofMinutes(5);

    private final PostgresHost host;

    public InstanceProcess(PostgresHost host) {
        this.host = host;
    }

    private String pgCtl() {
        return host.tool("pg_ctl");
    }

    public void start(InstanceLayout layout) {
        if (Postmaster.isRunning(layout)) {
            return;
        }
        try {
            Commands.run(host.user(), List.of(pgCtl(), "start", "-D", layout.pgdata().toString(), "-w", "-t",
                    String.valueOf(PG_CTL_TIMEOUT.toSeconds() - 10), "-l", layout.startupLog().toString()),
                    Map.of(), layout.directory(), PG_CTL_TIMEOUT);
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.START, "cannot start " + layout.instance() + " (see " + layout.logDirectory() + "; "
                    + ServerLog.tail(layout) + ")", e);
        }
    }

    /** Fast shutdown (sessions cut, checkpoint, data kept); nothing to do when it is not running. */
    public void stop(InstanceLayout layout) {
        if (!Postmaster.isRunning(layout)) {
            return;
        }
        long pid = Postmaster.pid(layout);
        try {
            Commands.run(host.user(), List.of(pgCtl(), "stop", "-D", layout.pgdata().toString(), "-m", "fast", "-w",
                    "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds() - 10)), Map.of(), layout.directory(), PG_CTL_TIMEOUT);
        } catch (CommandException e) {
            if (Postmaster.isRunning(layout)) {
                throw new ProvisioningException(Reason.STOP, "cannot stop " + layout.instance(), e);
            }
        }
        long t = System.nanoTime();
        Postmaster.awaitExit(layout, pid);
        log.debug("cluster={} instance={} postmaster {} exited {} ms after pg_ctl stop returned", layout.cluster(), layout.instance(), pid,
                (System.nanoTime() - t) / 1_000_000);
    }

    /**
     * Fast shutdown within {@code timeout}; a postmaster that does not obey (frozen by SIGSTOP, hung
     * on I/O) is killed together with its children. Returns whether the shutdown was clean.
     */
    public boolean stopOrKill(InstanceLayout layout, Duration timeout) {
        if (!Postmaster.isRunning(layout)) {
            return true;
        }
        long pid = Postmaster.pid(layout);
        try {
            Commands.run(host.user(), List.of(pgCtl(), "stop", "-D", layout.pgdata().toString(), "-m", "fast", "-w",
                    "-t", String.valueOf(Math.max(1, timeout.toSeconds()))), Map.of(), layout.directory(), timeout.plusSeconds(5));
            Postmaster.awaitExit(layout, pid);
            return true;
        } catch (CommandException | ProvisioningException e) {
            if (!Postmaster.isRunning(layout) && !Postmaster.alive(pid)) {
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
        if (Postmaster.isRunning(layout)) {
            long pid = Postmaster.pid(layout);
            log.warn("cluster={} instance={} killing postmaster {} and its children", layout.cluster(), layout.instance(), pid);
            kill(layout, pid);
        }
    }

    private void kill(InstanceLayout layout, long pid) {
        ProcessHandle.of(pid).ifPresent(postmaster -> {
            postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
            postmaster.destroyForcibly();
        });
        Postmaster.awaitExit(layout, pid);
        CrashLeftovers.clear(layout);
    }

    public void reload(InstanceLayout layout) {
        try {
            Commands.run(host.user(), List.of(pgCtl(), "reload", "-D", layout.pgdata().toString()), Map.of(),
                    layout.directory(), Duration.ofSeconds(30));
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot reload " + layout.instance(), e);
        }
    }

    /** {@code pg_ctl promote -w}: returns once the instance accepts writes. */
    public void promote(InstanceLayout layout) {
        try {
            Commands.run(host.user(), List.of(pgCtl(), "promote", "-D", layout.pgdata().toString(), "-w", "-t", "60"),
                    Map.of(), layout.directory(), Duration.ofSeconds(70));
        } catch (CommandException e) {
            throw new ProvisioningException(Reason.PROMOTE, "cannot promote " + layout.instance(), e);
        }
    }

    /** Immediate stop (a failed recovery must not keep running) and removal of its data directory. */
    public void discard(InstanceLayout layout) {
        if (Postmaster.isRunning(layout)) {
            try {
                Commands.run(host.user(), List.of(pgCtl(), "stop", "-D", layout.pgdata().toString(), "-m", "immediate", "-w"),
                        Map.of(), layout.directory(), PG_CTL_TIMEOUT);
            } catch (CommandException e) {
                log.warn("cluster={} instance={} immediate stop failed: {}", layout.cluster(), layout.instance(), e.getMessage());
            }
        }
        Files2.deleteRecursively(layout.pgdata());
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

    public void writeStandbySignal(InstanceLayout layout) {
        Files2.writePrivate(layout.pgdata().resolve("standby.signal"), "", host.user());
    }

    public void removeStandbySignal(InstanceLayout layout) {
        try {
            Files.deleteIfExists(layout.pgdata().resolve("standby.signal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
