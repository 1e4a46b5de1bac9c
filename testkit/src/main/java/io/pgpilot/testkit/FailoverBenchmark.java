package io.pgpilot.testkit;

import io.pgpilot.events.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The failover benchmark: N kill -9 failovers and M switchovers of a 3-instance cluster under a
 * write load through the rw endpoint. RTO = last acknowledged commit on the old primary to the
 * first acknowledged commit on the new one. Prints the figures and writes a results file.
 *
 * <p>{@code FailoverBenchmark <repository> <results file> [kills] [switchovers] [writer threads]}
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

    record Outcome(String kind, String from, String to, long rtoMillis, long acked, long lost, long clientErrors,
                   String breakdown) {
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int kills = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int switchovers = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 4;
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
            for (int i = 1; i <= kills; i++) {
                Outcome o = bench.round("kill -9", threads);
                outcomes.add(o);
                System.out.printf(Locale.ROOT, "kill -9 %2d/%d: %s -> %s  RTO %5d ms  acked %6d  lost %d  client errors %d  [%s]%n",
                        i, kills, o.from(), o.to(), o.rtoMillis(), o.acked(), o.lost(), o.clientErrors(), o.breakdown());
            }
            for (int i = 1; i <= switchovers; i++) {
                Outcome o = bench.round("switchover", threads);
                outcomes.add(o);
                System.out.printf(Locale.ROOT, "switchover %2d/%d: %s -> %s  write gap %5d ms  acked %6d  lost %d  client errors %d  [%s]%n",
                        i, switchovers, o.from(), o.to(), o.rtoMillis(), o.acked(), o.lost(), o.clientErrors(), o.breakdown());
            }
            bench.events.close();
        }
        String report = report(outcomes, kills, switchovers, threads);
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
        if (kind.equals("kill -9")) {
            long pid = Long.parseLong(Files.readAllLines(home.resolve("clusters").resolve(CLUSTER).resolve(old)
                    .resolve("pgdata").resolve("postmaster.pid")).getFirst().trim());
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
        } else if (platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null).statusCode() != 202) {
            throw new IllegalStateException("switchover refused");
        }
        Waits.until("acknowledged commits on a new primary", Duration.ofSeconds(120),
                () -> writer.acksFromOtherThan(old, eventNanos) > 50);
        writer.stop();
        List<AckedWriter.Ack> acks = writer.acks();
        long lastOld = acks.stream().filter(a -> a.server().equals(old)).mapToLong(AckedWriter.Ack::nanos).max().orElse(eventNanos);
        var firstNew = acks.stream().filter(a -> !a.server().equals(old) && a.nanos() > eventNanos)
                .min(java.util.Comparator.comparingLong(AckedWriter.Ack::nanos)).orElseThrow();
        long lost = acks.size() - countPresent(table, acks.stream().map(AckedWriter.Ack::id).toList(), password);
        return new Outcome(kind, old, firstNew.server(), (firstNew.nanos() - lastOld) / 1_000_000, acks.size(), lost, writer.errors(),
                breakdown(eventAt, firstNew));
    }

    /** Where the time went, from the failover service's completion event (ms after the kill). */
    private String breakdown(Instant eventAt, AckedWriter.Ack firstNew) {
        Waits.until("the completion event", Duration.ofSeconds(30), () -> seen.stream().anyMatch(e -> e.type().endsWith("over.completed")));
        var data = seen.stream().filter(e -> e.type().endsWith("over.completed")).findFirst().orElseThrow().data();
        java.util.function.Function<String, Long> at = field -> Duration.between(eventAt, Instant.parse((String) data.get(field))).toMillis();
        return "failure seen +" + at.apply("failedAt") + " ms, decided +" + at.apply("decidedAt") + " ms, promoted seen +"
                + at.apply("promotedSeenAt") + " ms, first commit +" + (firstNew.epochMillis() - eventAt.toEpochMilli()) + " ms";
    }

    private long countPresent(String table, List<Long> ids, String password) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + rw() + "/app", "app", password);
             var statement = c.prepareStatement("select count(*) from " + table + " where id = any(?)")) {
            statement.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static String report(List<Outcome> outcomes, int kills, int switchovers, int threads) {
        StringBuilder out = new StringBuilder();
        out.append("# pgpilot failover benchmark\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, 3 instances (PostgreSQL 15, synchronous ANY 1), ").append(threads)
                .append(" writer threads inserting one row per transaction through the rw endpoint (HAProxy)\n");
        out.append("- RTO = last acknowledged commit on the old primary -> first acknowledged commit on the new one\n\n");
        for (String kind : List.of("kill -9", "switchover")) {
            List<Outcome> of = outcomes.stream().filter(o -> o.kind().equals(kind)).toList();
            if (of.isEmpty()) {
                continue;
            }
            List<Long> rto = of.stream().map(Outcome::rtoMillis).sorted().toList();
            out.append(String.format(Locale.ROOT, "| %s (n=%d) | p50 %d ms | p95 %d ms | max %d ms | acknowledged %d | lost %d | client errors %d |%n",
                    kind, of.size(), percentile(rto, 50), percentile(rto, 95), rto.getLast(),
                    of.stream().mapToLong(Outcome::acked).sum(), of.stream().mapToLong(Outcome::lost).sum(),
                    of.stream().mapToLong(Outcome::clientErrors).sum()));
        }
        out.append("\nPer round (times after the kill or the switchover request, from the failover service's completion event):\n\n"
                + "| # | kind | from | to | RTO ms | acknowledged | lost | client errors | where the time went |\n|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d | %d | %d | %d | %s |%n", i + 1, o.kind(), o.from(), o.to(),
                    o.rtoMillis(), o.acked(), o.lost(), o.clientErrors(), o.breakdown()));
        }
        return out.toString();
    }
}
