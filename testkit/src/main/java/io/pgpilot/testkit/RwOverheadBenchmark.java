package io.pgpilot.testkit;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steady-state price of the rw endpoint: pgbench select-only (8 clients, 2 threads) against the
 * primary directly and through {@code <cluster>-rw} (the platform's HAProxy), alternating in one run
 * on one 1-instance cluster of the whole platform, so both sides share the same machine load.
 * Prints tps per round and rw/direct, writes a results file.
 *
 * <p>{@code RwOverheadBenchmark <repository> <results file> [rounds] [seconds per run]}
 */
public final class RwOverheadBenchmark {

    private static final String CLUSTER = "rwbench";
    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: rwbench
            spec:
              instances: 1
            """;
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    record Round(double directTps, double rwTps) {
        double ratio() {
            return rwTps / directTps;
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path results = Path.of(args[1]).toAbsolutePath();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path home = Files.createTempDirectory("pgpilot-rwbench");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Round> measured = new ArrayList<>();
        try (LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home))) {
            if (platform.apply(MANIFEST, CLUSTER) != 201) {
                throw new IllegalStateException("cluster not accepted");
            }
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
            String rw = ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
            Map<String, Object> meta = Json.MAPPER.readValue(Files.readString(home.resolve("clusters").resolve(CLUSTER)
                    .resolve(CLUSTER + "-1").resolve("instance.json")), Map.class);
            String direct = "127.0.0.1:" + ((Number) meta.get("port")).intValue();
            String password = (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-app.json")),
                    Map.class).get("password");
            pgbench(direct, password, List.of("-i", "-q", "-s", "10"));
            pgbench(rw, password, List.of("-S", "-n", "-c", "8", "-j", "2", "-T", "3")); // warm-up, both paths
            pgbench(direct, password, List.of("-S", "-n", "-c", "8", "-j", "2", "-T", "3"));
            for (int i = 1; i <= rounds; i++) {
                // alternate which side goes first so that a drift in machine load hits both
                boolean directFirst = i % 2 == 1;
                double first = tps(directFirst ? direct : rw, password, seconds);
                double second = tps(directFirst ? rw : direct, password, seconds);
                Round r = directFirst ? new Round(first, second) : new Round(second, first);
                measured.add(r);
                System.out.printf(Locale.ROOT, "round %d/%d: direct %.0f tps, through rw %.0f tps (%.0f %%)%n", i, rounds,
                        r.directTps(), r.rwTps(), 100 * r.ratio());
            }
        }
        String report = report(measured, seconds);
        System.out.println(report);
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println("results written to " + results);
    }

    private static double tps(String hostPort, String password, int seconds) throws Exception {
        String out = pgbench(hostPort, password, List.of("-S", "-n", "-c", "8", "-j", "2", "-T", Integer.toString(seconds)));
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String pgbench(String hostPort, String password, List<String> options) {
        return Pgbench.runOk(hostPort, "app", password, "app", options, null).output();
    }

    static String report(List<Round> rounds, int seconds) {
        StringBuilder out = new StringBuilder("# pgpilot rw endpoint overhead\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (1-minute load average at the end: ").append(BackupBenchmark.loadAverage()).append("), whole platform running, one PostgreSQL 15 instance (pgbench scale 10), pgbench -S -c 8 -j 2 -T ")
                .append(seconds).append(" alternately directly to the primary and through the rw endpoint (HAProxy)\n\n");
        out.append("| round | direct tps | through rw tps | rw / direct |\n|---|---|---|---|\n");
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            out.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f %% |%n", i + 1, r.directTps(), r.rwTps(), 100 * r.ratio()));
        }
        double direct = rounds.stream().mapToDouble(Round::directTps).sum();
        double rw = rounds.stream().mapToDouble(Round::rwTps).sum();
        out.append(String.format(Locale.ROOT, "| all | %.0f | %.0f | %.0f %% |%n", direct / rounds.size(), rw / rounds.size(), 100 * rw / direct));
        return out.toString();
    }
}
