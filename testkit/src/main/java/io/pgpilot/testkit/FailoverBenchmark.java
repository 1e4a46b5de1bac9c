package io.pgpilot.testkit;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.Waits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The failover benchmark: N kill -9 failovers, M switchovers and F frozen primaries (SIGSTOP of the
 * postmaster and its backends) of a 3-instance cluster under a write load through the rw endpoint.
 * Two figures per round: the client-seen outage ({@link ClientSeenOutage}: over all writers, last
 * ack before the first error to first ack after the last error) and, as before, the write gap
 * (last ack on the old primary to the first ack on the new one); plus where the time went
 * ({@link FailoverPhases}). Prints the figures and writes a results file.
 *
 * <p>{@code FailoverBenchmark <repository> <results file> [kills] [switchovers] [writer threads] [freezes]}
 */
public final class FailoverBenchmark {

    private static final String CLUSTER = "bench";
    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: bench
            spec:
              instances: 3
              postgresql:
                parameters:
                  shared_buffers: "64MB"
            """;

    record Outcome(String kind, String from, String to, long rtoMillis, long clientSeenMillis, long acked, long lost,
                   long clientErrors, long readOnlyErrors, String breakdown) {
    }

    private static final List<String> KINDS = List.of("kill -9", "SIGSTOP", "switchover");

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int kills = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int switchovers = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        int freezes = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        Path home = Files.createTempDirectory("pgpilot-bench");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Outcome> outcomes = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home))) {
            if (platform.apply(MANIFEST, CLUSTER) != 201) {
                throw new IllegalStateException("cluster not accepted");
            }
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
            var bench = new FailoverBenchmark(platform, home);
            bench.events = new io.pgpilot.events.TopicTailer(platform.kafkaBootstrapServers(), "bench-events",
                    Map.of(io.pgpilot.events.Topics.EVENTS, io.pgpilot.events.TopicTailer.Start.END),
                    (topic, key, value) -> bench.seen.add(Json.read(value, io.pgpilot.events.PlatformEvent.class))).start();
            Map<String, Integer> rounds = Map.of("kill -9", kills, "SIGSTOP", freezes, "switchover", switchovers);
            for (String kind : KINDS) {
                for (int i = 1; i <= rounds.get(kind); i++) {
                    Outcome o = bench.round(kind, threads);
                    outcomes.add(o);
                    System.out.printf(Locale.ROOT, "%s %2d/%d: %s -> %s  client-seen %5d ms  write gap %5d ms  acked %6d  lost %d"
                                    + "  client errors %d (read-only %d)  [%s]%n", kind, i, rounds.get(kind), o.from(), o.to(),
                            o.clientSeenMillis(), o.rtoMillis(), o.acked(), o.lost(), o.clientErrors(), o.readOnlyErrors(), o.breakdown());
                }
            }
            bench.events.close();
        }
        String report = report(outcomes, threads);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results);
    }

    private final LocalPlatform platform;
    private final Path home;
    private final java.util.Queue<io.pgpilot.events.PlatformEvent> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private io.pgpilot.events.TopicTailer events;

    private FailoverBenchmark(LocalPlatform platform, Path home) {
        this.platform = platform;
        this.home = home;
    }

    @SuppressWarnings("unchecked")
    private boolean healthy() {
        Map<String, Object> status = platform.status(CLUSTER);
        return "Cluster in healthy state".equals(status.get("phase"))
                && ((List<Map<String, Object>>) status.get("instanceStatus")).stream()
                .filter(i -> "replica".equals(i.get("role"))).allMatch(i -> "streaming".equals(i.get("walReceiver")));
    }

    @SuppressWarnings("unchecked")
    private String rw() {
        return ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
    }

    @SuppressWarnings("unchecked")
    private String secret(String kind) throws Exception {
        return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-" + kind + ".json")), Map.class)
                .get("password");
    }

    private Outcome round(String kind, int threads) throws Exception {
        Waits.until("a healthy cluster with streaming replicas", Duration.ofSeconds(120), this::healthy);
        String old = (String) platform.status(CLUSTER).get("currentPrimary");
        String table = "bench_" + System.nanoTime();
        String password = secret("app");
        AckedWriter.createTable(rw(), "app", "app", password, table);
        AckedWriter writer = new AckedWriter(rw(), "app", "app", password, table, threads).start();
        Waits.until("writes on " + old, Duration.ofSeconds(30), () -> writer.ackCount() > 200);
        long eventNanos = System.nanoTime();
        Instant eventAt = Instant.now();
        seen.clear();
        List<Long> frozen = List.of();
        switch (kind) {
            case "kill -9" -> signal("KILL", List.of(postmasterPid(old)));
            case "SIGSTOP" -> {
                // the postmaster and its backends, as a frozen VM or a stalled disk would stop them all
                long pid = postmasterPid(old);
                List<Long> tree = new ArrayList<>(List.of(pid));
                ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> tree.add(d.pid())));
                frozen = tree;
                signal("STOP", frozen);
            }
            default -> {
                if (platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null).statusCode() != 202) {
                    throw new IllegalStateException("switchover refused");
                }
            }
        }
        try {
            // the outage is over once the new primary serves and the clients have stopped failing
            Waits.until("acknowledged commits on a new primary after the clients' last error", Duration.ofSeconds(120),
                    () -> writer.acksFromOtherThan(old, eventNanos) > 50 && writer.acksAfterLastFailure() > 100);
        } finally {
            if (!frozen.isEmpty()) {
                signal("CONT", frozen);
            }
        }
        writer.stop();
        List<AckedWriter.Ack> acks = writer.acks();
        long lastOld = acks.stream().filter(a -> a.server().equals(old)).mapToLong(AckedWriter.Ack::nanos).max().orElse(eventNanos);
        var firstNew = acks.stream().filter(a -> !a.server().equals(old) && a.nanos() > eventNanos)
                .min(java.util.Comparator.comparingLong(AckedWriter.Ack::nanos)).orElseThrow();
        ClientSeenOutage outage = ClientSeenOutage.of(acks, writer.failures(), eventNanos, firstNew.nanos());
        long firstAckAfterMillis = acks.stream().filter(a -> a.nanos() == outage.firstAckAfter()).findFirst()
                .map(AckedWriter.Ack::epochMillis).orElse(firstNew.epochMillis());
        long lost = acks.size() - AckedWriter.countPresent(rw(), "app", "app", password, table, acks.stream().map(AckedWriter.Ack::id).toList());
        Waits.until("the completion event", Duration.ofSeconds(30), () -> seen.stream().anyMatch(e -> e.type().endsWith("over.completed")));
        FailoverPhases phases = FailoverPhases.of(eventAt, firstNew.server(), seen, firstAckAfterMillis);
        return new Outcome(kind, old, firstNew.server(), (firstNew.nanos() - lastOld) / 1_000_000, outage.millis(), acks.size(), lost,
                writer.errors(), writer.readOnlyErrors(), phases.toString());
    }

    private long postmasterPid(String instance) throws Exception {
        return Long.parseLong(Files.readAllLines(home.resolve("clusters").resolve(CLUSTER).resolve(instance)
                .resolve("pgdata").resolve("postmaster.pid")).getFirst().trim());
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static String report(List<Outcome> outcomes, int threads) {
        StringBuilder out = new StringBuilder();
        out.append("# pgpilot failover benchmark\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (1-minute load average at the end: ").append(BackupBenchmark.loadAverage()).append("), 3 instances (PostgreSQL 15, synchronous ANY 1), ").append(threads)
                .append(" writer threads inserting one row per transaction through the rw endpoint (HAProxy); writers behave like"
                        + " applications: connect timeout 2 s, statement and socket timeout 5 s, reconnect after 50 ms\n");
        out.append("- client-seen outage = over all writers, last acknowledged commit before the first error -> first acknowledged"
                + " commit after the last error of that fault (no error: the longest pause between two acks)\n");
        out.append("- write gap (the figure published before) = last acknowledged commit on the old primary -> first acknowledged"
                + " commit on the new one\n");
        out.append("- SIGSTOP = postmaster and backends of the primary frozen until the clients are served again, then continued\n\n");
        out.append("| fault | client-seen p50 | p95 | max | write gap p50 | max | acknowledged | lost | client errors | read-only errors |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (String kind : KINDS) {
            List<Outcome> of = outcomes.stream().filter(o -> o.kind().equals(kind)).toList();
            if (of.isEmpty()) {
                continue;
            }
            List<Long> seen = of.stream().map(Outcome::clientSeenMillis).sorted().toList();
            List<Long> gap = of.stream().map(Outcome::rtoMillis).sorted().toList();
            out.append(String.format(Locale.ROOT, "| %s (n=%d) | %d ms | %d ms | %d ms | %d ms | %d ms | %d | %d | %d | %d |%n",
                    kind, of.size(), percentile(seen, 50), percentile(seen, 95), seen.getLast(), percentile(gap, 50), gap.getLast(),
                    of.stream().mapToLong(Outcome::acked).sum(), of.stream().mapToLong(Outcome::lost).sum(),
                    of.stream().mapToLong(Outcome::clientErrors).sum(), of.stream().mapToLong(Outcome::readOnlyErrors).sum()));
        }
        out.append("\nPer round; phases in ms after the fault (kill, SIGSTOP or switchover request), from the platform's events"
                + " (failure seen and decision by the failover service, promotion by the provisioner, replicas repointed, rw switched"
                + " by the services) and the first commit acknowledged after the clients' last error:\n\n"
                + "| # | fault | from | to | client-seen ms | write gap ms | acknowledged | lost | errors (read-only) | where the time went |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d | %d | %d | %d | %d (%d) | %s |%n", i + 1, o.kind(), o.from(),
                    o.to(), o.clientSeenMillis(), o.rtoMillis(), o.acked(), o.lost(), o.clientErrors(), o.readOnlyErrors(), o.breakdown()));
        }
        return out.toString();
    }
}
