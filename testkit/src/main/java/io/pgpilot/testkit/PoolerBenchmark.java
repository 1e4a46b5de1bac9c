package io.pgpilot.testkit;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.Waits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The pooler against its alternatives, side by side in one run of the whole platform on one
 * two-instance cluster: pgbench select-only and simple-update (50 and 200 clients) directly to the
 * primary, through the HAProxy {@code -rw} endpoint and through a transaction-mode rw pooler (two
 * PgBouncer processes); a new connection per transaction ({@code -C}); and a switchover under a write
 * load through the pooler and through {@code -rw}: longest gap between acknowledged commits over all
 * clients, and client errors. Paths alternate their order between rows so drifting machine load
 * hits all of them. Prints the figures and writes a results file.
 *
 * <p>{@code PoolerBenchmark <repository> <results file> [seconds per run]}
 */
public final class PoolerBenchmark {

    private static final String CLUSTER = "poolbench";
    private static final String POOLER = "poolbench-rw";
    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: poolbench
            spec:
              instances: 2
              postgresql:
                parameters:
                  max_connections: "300"
                  shared_buffers: "128MB"
            """;
    private static final String POOLER_MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Pooler
            metadata:
              name: poolbench-rw
            spec:
              cluster: {name: poolbench}
              instances: 2
              type: rw
              pgbouncer:
                poolMode: transaction
                parameters: {default_pool_size: "20", max_client_conn: "2000"}
            """;

    record Row(String what, double direct, double rw, double pooler) {
    }

    record Switchover(String path, long maxGapMillis, long errors, long transactions) {
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path home = Files.createTempDirectory(Path.of(System.getProperty("pgpilot.bench.dir", "/var/tmp")), "pooler-bench-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Row> rows = new ArrayList<>();
        List<Switchover> switchovers = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home))) {
            require(platform.apply(MANIFEST, CLUSTER) == 201, "cluster not accepted");
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(240));
            require(platform.send("POST", "/api/v1/poolers", POOLER_MANIFEST).statusCode() == 201, "pooler not accepted");
            Waits.until("the pooler to be ready", Duration.ofSeconds(120), () -> "Ready".equals(pooler(platform).get("phase")));
            String password = secret(home, "app");
            String pooler = String.valueOf(pooler(platform).get("endpoint"));
            Pgbench.runOk(direct(platform, home), "app", password, "app", List.of("-i", "-q", "-s", "10"), home);
            int order = 0;
            for (String mode : List.of("-S", "-N")) {
                for (int clients : List.of(50, 200)) {
                    List<String> options = List.of(mode, "-n", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds));
                    rows.add(row((mode.equals("-S") ? "select-only" : "simple-update") + ", " + clients + " clients, tps",
                            order++, direct(platform, home), rw(platform), pooler, password, options, home, Pgbench.Result::tps));
                }
            }
            List<String> perTransaction = List.of("-S", "-n", "-C", "-c", "8", "-j", "2", "-T", Integer.toString(seconds));
            rows.add(row("new connection per transaction (-C, 8 clients), tps", order++, direct(platform, home), rw(platform),
                    pooler, password, perTransaction, home, Pgbench.Result::tps));
            rows.add(row("  average connection time, ms", order, direct(platform, home), rw(platform), pooler, password,
                    perTransaction, home, Pgbench.Result::averageConnectionMillis));
            switchovers.add(switchover(platform, home, "pooler", pooler, password));
            switchovers.add(switchover(platform, home, "HAProxy -rw", rw(platform), password));
        }
        String report = report(rows, switchovers, seconds);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results);
    }

    private static Row row(String what, int order, String direct, String rw, String pooler, String password, List<String> options,
                           Path work, java.util.function.ToDoubleFunction<Pgbench.Result> figure) {
        List<String> paths = List.of(direct, rw, pooler);
        double[] values = new double[3];
        for (int i = 0; i < 3; i++) {
            int index = (i + order) % 3; // rotate which path goes first
            values[index] = figure.applyAsDouble(Pgbench.runOk(paths.get(index), "app", password, "app", options, work));
        }
        Row row = new Row(what, values[0], values[1], values[2]);
        System.out.printf(Locale.ROOT, "%s: direct %.1f, rw %.1f, pooler %.1f%n", what, row.direct(), row.rw(), row.pooler());
        return row;
    }

    /** A switchover 5 s into a 25 s simple-update load (8 clients): longest commit gap and errors. */
    private static Switchover switchover(LocalPlatform platform, Path home, String path, String hostPort, String password)
            throws Exception {
        Waits.until("the cluster to be healthy", Duration.ofSeconds(120),
                () -> "Cluster in healthy state".equals(platform.status(CLUSTER).get("phase")));
        Path logs = Files.createTempDirectory(home, "switchover-");
        String old = String.valueOf(platform.status(CLUSTER).get("currentPrimary"));
        CompletableFuture<Pgbench.Result> load = CompletableFuture.supplyAsync(() -> Pgbench.run(hostPort, "app", password, "app",
                List.of("-N", "-n", "-c", "8", "-j", "2", "-T", "25", "-l"), logs));
        Thread.sleep(5000); // the load runs a while before the switchover (a benchmark pacing, not a wait for an outcome)
        require(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null).statusCode() == 202, "switchover refused");
        Waits.until("the switchover", Duration.ofSeconds(120), () -> !old.equals(platform.status(CLUSTER).get("currentPrimary")));
        Pgbench.Result result = load.get();
        List<Long> commits = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith("pgbench_log")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 6) {
                        commits.add(Long.parseLong(f[4]) * 1_000_000 + Long.parseLong(f[5]));
                    }
                }
            }
        }
        commits.sort(Long::compare);
        long maxGap = 0;
        for (int i = 1; i < commits.size(); i++) {
            maxGap = Math.max(maxGap, commits.get(i) - commits.get(i - 1));
        }
        long errors = result.abortedClients() + result.failed();
        Switchover s = new Switchover(path, maxGap / 1000, errors, commits.size());
        System.out.printf(Locale.ROOT, "switchover through %s: longest commit gap %d ms, %d client errors, %d transactions%n",
                path, s.maxGapMillis(), s.errors(), s.transactions());
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pooler(LocalPlatform platform) {
        var response = platform.send("GET", "/api/v1/poolers/" + POOLER, null);
        return response.statusCode() == 200 ? Json.MAPPER.readValue(response.body(), Map.class) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static String rw(LocalPlatform platform) {
        return ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
    }

    @SuppressWarnings("unchecked")
    private static String direct(LocalPlatform platform, Path home) {
        String primary = String.valueOf(platform.status(CLUSTER).get("currentPrimary"));
        try {
            Map<String, Object> meta = Json.MAPPER.readValue(Files.readString(home.resolve("clusters").resolve(CLUSTER)
                    .resolve(primary).resolve("instance.json")), Map.class);
            return "127.0.0.1:" + ((Number) meta.get("port")).intValue();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static String secret(Path home, String kind) throws IOException {
        return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-" + kind + ".json")),
                Map.class).get("password");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    static String report(List<Row> rows, List<Switchover> switchovers, int seconds) {
        StringBuilder out = new StringBuilder("# pgpilot pooler benchmark\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, whole platform running; PostgreSQL 15, 2 instances, pgbench scale 10, -j 2, -T ").append(seconds)
                .append(" s per run; pooler: transaction mode, 2 PgBouncer 1.18 processes, default_pool_size 20\n\n");
        out.append("| what | direct to the primary | HAProxy -rw | pooler | pooler / direct |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2fx |%n", r.what(), r.direct(), r.rw(), r.pooler(),
                    r.pooler() / r.direct()));
        }
        out.append("\n| switchover under pgbench -N -c 8 | longest gap between commits | client errors | transactions |\n|---|---|---|---|\n");
        for (Switchover s : switchovers) {
            out.append(String.format(Locale.ROOT, "| through %s | %d ms | %d | %d |%n", s.path(), s.maxGapMillis(), s.errors(),
                    s.transactions()));
        }
        return out.toString();
    }
}
