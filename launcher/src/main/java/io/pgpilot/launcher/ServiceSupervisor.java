package io.pgpilot.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps the run command's services running: a service that exits without being asked to (a crash,
 * kill -9, an out-of-memory exit) is started again with its own settings after a {@link RestartBackoff},
 * and said loudly on the console and in the platform's log ({@code platform.log}). Exits the platform
 * causes itself ({@link LocalPlatform#restartService}, {@link LocalPlatform#close}) are not crashes:
 * the platform replaces or removes the entry under the same lock first.
 */
final class ServiceSupervisor implements AutoCloseable {

    /** What the supervisor needs from the platform; every call is made holding {@code lock}. */
    interface Services {
        Map<String, ServiceProcess> current();

        /** Starts {@code name} again with its settings (same port and arguments) and puts it in place of the dead one. */
        ServiceProcess respawn(String name);
    }

    private record Crash(ServiceProcess process, int inARow, Instant restartAt) {
    }

    private final Object lock;
    private final Services services;
    private final RestartBackoff backoff;
    private final Consumer<String> report;
    private final Function<ServiceProcess, Instant> startedAt;
    private final Map<String, Crash> crashes = new HashMap<>();
    private final Map<String, Integer> rows = new HashMap<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("service-supervisor").daemon().factory());

    ServiceSupervisor(Object lock, Services services, RestartBackoff backoff, Consumer<String> report,
                      Function<ServiceProcess, Instant> startedAt) {
        this.lock = lock;
        this.services = services;
        this.backoff = backoff;
        this.report = report;
        this.startedAt = startedAt;
    }

    ServiceSupervisor start(Duration period) {
        timer.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void check() {
        try {
            synchronized (lock) {
                Instant now = Instant.now();
                services.current().forEach((name, process) -> {
                    if (process.isAlive()) {
                        return;
                    }
                    Crash crash = crashes.get(name);
                    if (crash == null || crash.process() != process) {
                        Duration ran = Duration.between(startedAt.apply(process), now);
                        int inARow = backoff.crashesInARow(rows.getOrDefault(name, 0), ran);
                        rows.put(name, inARow);
                        Duration delay = backoff.delay(inARow);
                        crashes.put(name, new Crash(process, inARow, now.plus(delay)));
                        report.accept("service " + name + " (pid " + process.pid() + ") exited with code " + process.exitCode()
                                + " after " + ran.toSeconds() + " s; restarting in " + delay.toMillis() + " ms (crash " + inARow
                                + " in a row), log " + process.log());
                    } else if (!now.isBefore(crash.restartAt())) {
                        ServiceProcess fresh = services.respawn(name);
                        crashes.remove(name);
                        report.accept("service " + name + " restarted (pid " + fresh.pid() + ")");
                    }
                });
                crashes.keySet().retainAll(services.current().keySet());
            }
        } catch (RuntimeException e) {
            report.accept("supervisor: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
