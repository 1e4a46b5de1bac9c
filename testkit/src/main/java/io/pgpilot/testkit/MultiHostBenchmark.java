package io.pgpilot.testkit;

import io.pgpilot.launcher.Waits;
import io.pgpilot.testkit.MultiHostReport.Outcome;
import io.pgpilot.testkit.NetworkTestBed.Host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Node faults on the multi-host test bed, pgpilot and Patroni side by side (issue 8). For each system
 * (pgpilot on three node agents; Patroni with its documented timings; Patroni tuned) and each fault
 * (power loss of the primary's host; isolation of the primary's host, packets dropped both ways),
 * N rounds: 4 acknowledged writers through the system's read-write endpoint, the fault, the
 * client-seen outage ({@link ClientSeenOutage}) once a new primary acknowledges, every acknowledged
 * commit checked on the new primary, a watcher asking every member every 200 ms whether it accepts
 * writes, then the repair (power back / heal) and a healthy 3-member cluster before the next round.
 * One platform and bed per system for all its rounds. Prints per-round lines, writes the results file.
 *
 * <p>{@code MultiHostBenchmark <repository> <results file> [rounds=10] [systems=pgpilot,patroni-documented,patroni-tuned]}
 */
public final class MultiHostBenchmark {

    private static final int WRITERS = 4;
    private static final Duration HEALTHY = Duration.ofSeconds(300);
    private static final Duration FAILOVER = Duration.ofSeconds(300);
    private static final Duration ASK_EVERY = Duration.ofMillis(500);

    /** A fault of the primary's host and how it is repaired. */
    enum Fault {
        POWER_LOSS("power loss"), ISOLATION("isolation");

        final String label;

        Fault(String label) {
            this.label = label;
        }

        void inject(NetworkTestBed bed, Host host) {
            switch (this) {
                case POWER_LOSS -> bed.powerLoss(host);
                case ISOLATION -> bed.isolate(host);
            }
        }

        void repair(MultiHostSystem system, Host host) {
            switch (this) {
                case POWER_LOSS -> system.powerBack(host);
                case ISOLATION -> system.bed().heal(host);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        List<String> systems = Arrays.asList((args.length > 3 ? args[3] : "pgpilot,patroni-documented,patroni-tuned").split(","));
        List<Outcome> outcomes = new ArrayList<>();
        List<String> settings = new ArrayList<>();
        for (String system : systems) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "patroni-mh-" + system + "-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            System.out.println("multi-host: starting " + system + " in " + dir);
            try (MultiHostSystem started = start(system, repository, dir)) {
                settings.add(started.settings());
                new MultiHostBenchmark(started, dir).run(rounds, outcomes);
            } catch (RuntimeException e) {
                System.out.println("multi-host: " + system + " stopped: " + e.getMessage());
                outcomes.add(Outcome.failed(system, "start", 0, e.getMessage()));
            }
        }
        String report = MultiHostReport.render(outcomes, settings, rounds, WRITERS);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results);
    }

    private static MultiHostSystem start(String system, Path repository, Path dir) {
        return switch (system) {
            case "pgpilot" -> PgpilotOnBed.start(repository, dir);
            case "patroni-documented" -> PatroniOnBed.start(dir, PatroniPeer.Timing.DOCUMENTED, "documented");
            case "patroni-tuned" -> PatroniOnBed.start(dir, PatroniPeer.Timing.TUNED, "tuned");
            default -> throw new IllegalArgumentException("unknown system " + system + " (pgpilot, patroni-documented, patroni-tuned)");
        };
    }

    private final MultiHostSystem system;
    private final Path dir;

    private MultiHostBenchmark(MultiHostSystem system, Path dir) {
        this.system = system;
        this.dir = dir;
    }

    /** Every fault, {@code rounds} times; a round that leaves the cluster unhealthy ends this system's rounds. */
    private void run(int rounds, List<Outcome> outcomes) {
        for (Fault fault : Fault.values()) {
            for (int i = 1; i <= rounds; i++) {
                Outcome outcome;
                try {
                    outcome = round(fault, i);
                } catch (RuntimeException | java.sql.SQLException e) {
                    outcome = Outcome.failed(system.name(), fault.label, i, e.getMessage());
                }
                outcomes.add(outcome);
                System.out.println("multi-host: " + outcome.line(rounds));
                if (outcome.failure() != null) {
                    return;
                }
            }
        }
    }

    private Outcome round(Fault fault, int index) throws java.sql.SQLException {
        Waits.until(system.name() + " healthy with 3 members", HEALTHY, ASK_EVERY, system::healthy);
        Host primary = system.primaryHost();
        MultiHostSystem.Login app = system.application();
        String rw = system.rwEndpoint();
        String table = "mh_" + System.nanoTime();
        AckedWriter.createTable(rw, app.database(), app.user(), app.password(), table);
        AckedWriter writer = new AckedWriter(rw, app.database(), app.user(), app.password(), table, WRITERS, AckedWriter.BY_ADDRESS)
                .start();
        WritableWatcher watcher = null;
        try {
            Waits.until("writes on " + primary.name(), Duration.ofSeconds(60), () -> writer.ackCount() > 200);
            watcher = WritableWatcher.start(system);
            long faultNanos = System.nanoTime();
            fault.inject(system.bed(), primary);
            Waits.until("acknowledged commits on a new primary after the clients' last error", FAILOVER,
                    () -> writer.acksFromOtherThan(primary.address(), faultNanos) > 50 && writer.acksAfterLastFailure() > 100);
            String oldPrimary = system.askedLocally(primary, dir);
            writer.stop();
            List<AckedWriter.Ack> acks = writer.acks();
            AckedWriter.Ack firstNew = acks.stream().filter(a -> !a.server().equals(primary.address()) && a.nanos() > faultNanos)
                    .min(Comparator.comparingLong(AckedWriter.Ack::nanos)).orElseThrow();
            ClientSeenOutage outage = ClientSeenOutage.of(acks, writer.failures(), faultNanos, firstNew.nanos());
            long present = AckedWriter.countPresent(system.rwEndpoint(), app.database(), app.user(), app.password(), table,
                    acks.stream().map(AckedWriter.Ack::id).toList());
            long repairStart = System.nanoTime();
            fault.repair(system, primary);
            Waits.until(system.name() + " healthy with 3 members after the repair", HEALTHY, ASK_EVERY, system::healthy);
            long repairMillis = (System.nanoTime() - repairStart) / 1_000_000;
            watcher.stop();
            return new Outcome(system.name(), fault.label, index, primary.name(), nameOf(firstNew.server()), outage.millis(),
                    acks.size(), acks.size() - present, writer.errors(), writer.readOnlyErrors(), watcher.maxAtOnce(),
                    watcher.twoAtOnce(), oldPrimary, repairMillis, null);
        } finally {
            writer.stop();
            if (watcher != null) {
                watcher.stop();
            }
        }
    }

    private String nameOf(String address) {
        return system.bed().hosts().stream().filter(h -> h.address().equals(address)).map(Host::name).findFirst().orElse(address);
    }

    /**
     * Asks every member every 200 ms whether it accepts writes (from the root namespace: a member behind a
     * cut cannot be asked); remembers the most seen at once and the moments two or more were.
     */
    static final class WritableWatcher {
        private final MultiHostSystem system;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile int max;
        private final List<String> twoAtOnce = new java.util.concurrent.CopyOnWriteArrayList<>();

        private WritableWatcher(MultiHostSystem system) {
            this.system = system;
            this.thread = Thread.ofVirtual().unstarted(this::loop);
        }

        static WritableWatcher start(MultiHostSystem system) {
            WritableWatcher watcher = new WritableWatcher(system);
            watcher.thread.start();
            return watcher;
        }

        private void loop() {
            while (running) {
                List<Host> writable = system.writablePrimaries();
                max = Math.max(max, writable.size());
                if (writable.size() > 1) {
                    twoAtOnce.add(writable.stream().map(Host::name).toList().toString());
                }
                LockSupport.parkNanos(200_000_000L); // the probe's cadence, not a wait for an outcome
            }
        }

        void stop() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int maxAtOnce() {
            return max;
        }

        List<String> twoAtOnce() {
            return List.copyOf(twoAtOnce);
        }
    }
}
