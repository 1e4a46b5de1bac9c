package io.pgpilot.testkit;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.Waits;

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
 * The rolling restart benchmark: N user-requested rolling restarts ({@code POST .../restart}) of a
 * 3-instance cluster under a write load through rw. Write gap = the longest time between two
 * consecutive acknowledged commits during the rollout (the switchover of the primary); also the
 * rollout's duration and lost commits. Prints the figures and writes a results file.
 *
 * <p>{@code RollingRestartBenchmark <repository> <results file> [rounds] [writer threads]}
 */
public final class RollingRestartBenchmark {

    private static final String CLUSTER = "rollbench";
    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: rollbench
            spec:
              instances: 3
              postgresql:
                parameters:
                  shared_buffers: "64MB"
            """;

    record Outcome(long gapMillis, long rolloutMillis, long acked, long lost, long clientErrors) {
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path home = Files.createTempDirectory("pgpilot-rollbench");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Outcome> outcomes = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home))) {
            if (platform.apply(MANIFEST, CLUSTER) != 201) {
                throw new IllegalStateException("cluster not accepted");
            }
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
            for (int i = 1; i <= rounds; i++) {
                Outcome o = round(platform, home, threads);
                outcomes.add(o);
                System.out.printf(Locale.ROOT, "rolling restart %d/%d: write gap %5d ms  rollout %6d ms  acked %6d  lost %d  client errors %d%n",
                        i, rounds, o.gapMillis(), o.rolloutMillis(), o.acked(), o.lost(), o.clientErrors());
            }
        }
        String report = report(outcomes, threads);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results);
    }

    @SuppressWarnings("unchecked")
    private static boolean healthy(LocalPlatform platform) {
        Map<String, Object> status = platform.status(CLUSTER);
        return "Cluster in healthy state".equals(status.get("phase"))
                && ((List<Map<String, Object>>) status.get("instanceStatus")).stream()
                .filter(i -> "replica".equals(i.get("role"))).allMatch(i -> "streaming".equals(i.get("walReceiver")));
    }

    @SuppressWarnings("unchecked")
    private static String rw(LocalPlatform platform) {
        return ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
    }

    @SuppressWarnings("unchecked")
    private static String secret(Path home, String kind, String field) throws Exception {
        return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-" + kind + ".json")), Map.class)
                .get(field);
    }

    private static Outcome round(LocalPlatform platform, Path home, int threads) throws Exception {
        Waits.until("a healthy cluster with streaming replicas", Duration.ofSeconds(120), () -> healthy(platform));
        String table = "roll_" + System.nanoTime();
        String password = secret(home, "app", "password");
        AckedWriter.createTable(rw(platform), "app", "app", password, table);
        AckedWriter writer = new AckedWriter(rw(platform), "app", "app", password, table, threads).start();
        Waits.until("writes", Duration.ofSeconds(30), () -> writer.ackCount() > 200);
        long started = System.nanoTime();
        Instant requested = Instant.now();
        if (platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/restart", null).statusCode() != 202) {
            throw new IllegalStateException("restart refused");
        }
        Waits.until("every instance restarted and the cluster healthy", Duration.ofSeconds(600),
                () -> restartedSince(home, requested) && healthy(platform));
        long rolloutMillis = (System.nanoTime() - started) / 1_000_000;
        long after = writer.ackCount();
        Waits.until("writes after the rollout", Duration.ofSeconds(60), () -> writer.ackCount() > after + 50);
        writer.stop();
        List<Long> times = writer.acks().stream().map(AckedWriter.Ack::nanos).filter(n -> n >= started).sorted().toList();
        long gap = 0;
        for (int i = 1; i < times.size(); i++) {
            gap = Math.max(gap, times.get(i) - times.get(i - 1));
        }
        List<Long> ids = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        long lost = ids.size() - countPresent(platform, table, ids, password);
        return new Outcome(gap / 1_000_000, rolloutMillis, ids.size(), lost, writer.errors());
    }

    private static boolean restartedSince(Path home, Instant requested) {
        for (int i = 1; i <= 3; i++) {
            try {
                Map<?, ?> meta = Json.MAPPER.readValue(Files.readString(home.resolve("clusters").resolve(CLUSTER)
                        .resolve(CLUSTER + "-" + i).resolve("instance.json")), Map.class);
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + meta.get("port") + "/postgres",
                        "postgres", secret(home, "superuser", "password"));
                     ResultSet rs = c.createStatement().executeQuery("select pg_postmaster_start_time()")) {
                    rs.next();
                    if (!rs.getTimestamp(1).toInstant().isAfter(requested)) {
                        return false;
                    }
                }
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    private static long countPresent(LocalPlatform platform, String table, List<Long> ids, String password) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + rw(platform) + "/app", "app", password);
             var statement = c.prepareStatement("select count(*) from " + table + " where id = any(?)")) {
            statement.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static String report(List<Outcome> outcomes, int threads) {
        StringBuilder out = new StringBuilder("# pgpilot rolling restart benchmark\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (shared), 3 instances (PostgreSQL 15, synchronous ANY 1), ").append(threads)
                .append(" writer threads inserting one row per transaction through rw (HAProxy)\n");
        out.append("- each round: POST /api/v1/clusters/{name}/restart; replicas one at a time, then a switchover\n");
        out.append("- write gap = the longest time between two consecutive acknowledged commits during the rollout\n\n");
        out.append("| round | write gap ms | rollout ms | acknowledged | lost | client errors |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            out.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d |%n", i + 1, o.gapMillis(), o.rolloutMillis(),
                    o.acked(), o.lost(), o.clientErrors()));
        }
        return out.toString();
    }
}
