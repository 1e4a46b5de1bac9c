package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Looks at a cluster's instances directly (not through the platform) to check the invariants. */
final class ClusterProbe {

    private final LocalPlatform platform;
    private final Path home;
    private final String cluster;

    ClusterProbe(LocalPlatform platform, Path home, String cluster) {
        this.platform = platform;
        this.home = home;
        this.cluster = cluster;
    }

    @SuppressWarnings("unchecked")
    String secret(String kind, String field) throws Exception {
        Map<String, Object> secret = Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(cluster + "-" + kind + ".json")), Map.class);
        return String.valueOf(secret.get(field));
    }

    Path dataDir(String instance) {
        return home.resolve("clusters").resolve(cluster).resolve(instance).resolve("pgdata");
    }

    int port(String instance) throws Exception {
        Map<?, ?> meta = Json.MAPPER.readValue(Files.readString(home.resolve("clusters").resolve(cluster).resolve(instance)
                .resolve("instance.json")), Map.class);
        return ((Number) meta.get("port")).intValue();
    }

    long postmasterPid(String instance) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir(instance).resolve("postmaster.pid")).getFirst().trim());
    }

    /** All processes of the instance: the postmaster and its children. */
    List<Long> processTree(String instance) throws Exception {
        long pid = postmasterPid(instance);
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    void signal(String signal, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    Connection superuser(String instance) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", secret("superuser", "password"));
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port(instance) + "/app", props);
    }

    /** {@code pg_switch_wal()} on the primary: the name of the segment it closed. */
    String switchWal() throws Exception {
        try (Connection c = superuser(currentPrimary()); ResultSet rs = c.createStatement().executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Whether the primary's archiver has archived {@code segment} (or a later one). */
    boolean archived(String segment) throws Exception {
        try (Connection c = superuser(currentPrimary()); ResultSet rs = c.createStatement()
                .executeQuery("SELECT coalesce(last_archived_wal, '') >= '" + segment + "' FROM pg_stat_archiver")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Instances that answer and are not in recovery: must never be more than one. */
    List<String> writablePrimaries() throws Exception {
        List<String> primaries = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String instance = cluster + "-" + i;
            if (!Files.exists(home.resolve("clusters").resolve(cluster).resolve(instance).resolve("instance.json"))) {
                continue; // a smaller cluster
            }
            try (Connection c = superuser(instance); ResultSet rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    primaries.add(instance);
                }
            } catch (SQLException e) {
                // down or unreachable: not serving writes
            }
        }
        return primaries;
    }

    @SuppressWarnings("unchecked")
    String currentPrimary() {
        return (String) platform.status(cluster).get("currentPrimary");
    }

    boolean healthy() {
        return healthy(platform.status(cluster));
    }

    @SuppressWarnings("unchecked")
    private static boolean healthy(Map<String, Object> status) {
        return "Cluster in healthy state".equals(status.get("phase"))
                && ((List<Map<String, Object>>) status.get("instanceStatus")).stream()
                .filter(i -> "replica".equals(i.get("role"))).allMatch(i -> "streaming".equals(i.get("walReceiver")));
    }

    /**
     * Waits until the cluster is healthy with every replica streaming; prints how long that took and,
     * when it does not happen within {@code atMost}, fails with the last status seen (phase, every
     * instance's role, state and WAL receiver) so that a CI log says what was still converging.
     */
    void awaitHealthy(java.time.Duration atMost) {
        long start = System.nanoTime();
        var last = new java.util.concurrent.atomic.AtomicReference<Map<String, Object>>();
        try {
            org.awaitility.Awaitility.await().atMost(atMost).ignoreExceptions().until(() -> {
                Map<String, Object> status = platform.status(cluster);
                last.set(status);
                return healthy(status);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("cluster " + cluster + " not healthy within " + atMost.toSeconds() + " s; last status: "
                    + summary(last.get()), e);
        }
        System.out.printf("cluster %s healthy after %.1f s%n", cluster, (System.nanoTime() - start) / 1e9);
    }

    @SuppressWarnings("unchecked")
    private static String summary(Map<String, Object> status) {
        if (status == null) {
            return "none (status never answered)";
        }
        StringBuilder out = new StringBuilder("phase=" + status.get("phase") + ", primary=" + status.get("currentPrimary")
                + ", progress=" + status.get("progress"));
        Object instances = status.get("instanceStatus");
        if (instances instanceof List<?> list) {
            for (Object item : list) {
                Map<String, Object> i = (Map<String, Object>) item;
                out.append("; ").append(i.get("name")).append(" role=").append(i.get("role")).append(" status=").append(i.get("status"))
                        .append(" walReceiver=").append(i.get("walReceiver")).append(" message=").append(i.get("message"));
            }
        }
        return out.toString();
    }

    String rw() {
        return endpoint("rw");
    }

    @SuppressWarnings("unchecked")
    String endpoint(String suffix) {
        return ((Map<String, String>) platform.status(cluster).get("endpoints")).get(cluster + "-" + suffix);
    }

    /** How many of the given ids are present, read through rw (the current primary). */
    long countPresent(String table, List<Long> ids) throws Exception {
        return io.pgpilot.testkit.AckedWriter.countPresent(rw(), "app", "app", secret("app", "password"), table, ids);
    }
}
