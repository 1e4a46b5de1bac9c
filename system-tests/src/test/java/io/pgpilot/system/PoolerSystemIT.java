package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CloudNativePG's Pooler through the whole platform: a transaction-mode rw pooler (two real PgBouncer
 * processes) in front of a two-instance cluster; pgbench through it while five switchovers happen
 * sees no error and every transaction it counted is in the table; clients recover from a kill -9 of
 * the primary without reconfiguration; pause/resume from the manifest; metrics; validation; deletion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolerSystemIT {

    static final String CLUSTER = "pool";
    static final String POOLER = "pool-rw";
    static final Duration CONVERGE = Duration.ofSeconds(90);
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;
    static String manifest;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-pooler");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/pool-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
        manifest = Files.readString(Path.of("src/test/resources/pool-rw-pooler.yaml"));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> pooler() {
        var response = platform.send("GET", "/api/v1/poolers/" + POOLER, null);
        return response.statusCode() == 200 ? Json.MAPPER.readValue(response.body(), Map.class) : Map.of("httpStatus", response.statusCode());
    }

    static int port() {
        return Integer.parseInt(String.valueOf(pooler().get("endpoint")).split(":")[1]);
    }

    static Connection app() throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "app");
        props.setProperty("password", probe.secret("app", "password"));
        props.setProperty("prepareThreshold", "0");
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/app", props);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @Order(1)
    void invalidPoolersAreRefusedNamingTheField() throws Exception {
        var missing = platform.send("POST", "/api/v1/poolers", manifest.replace("name: pool\n", "name: nosuchcluster\n"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("spec.cluster.name").contains("does not exist");
        var unknown = platform.send("POST", "/api/v1/poolers", manifest.replace("poolMode: transaction", "poolMode: transaction\n    pool_size: 3"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("spec.pgbouncer.pool_size");
        var owned = platform.send("POST", "/api/v1/poolers", manifest.replace("max_client_conn: \"500\"", "auth_type: trust"));
        assertThat(owned.statusCode()).isEqualTo(400);
        assertThat(owned.body()).contains("spec.pgbouncer.parameters.auth_type");
        assertThat(platform.send("GET", "/api/v1/poolers/" + POOLER, null).statusCode()).as("nothing half-created").isEqualTo(404);
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + platform.settings().servicesPort() + "/poolers/hold/" + CLUSTER)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("the services' hold endpoint needs the internal token").isEqualTo(401);
    }

    @Test
    @Order(2)
    void aPoolerServesTheApplicationOnItsOwnEndpoint() throws Exception {
        var created = platform.send("POST", "/api/v1/poolers", manifest);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(platform.send("POST", "/api/v1/poolers", manifest).statusCode()).isEqualTo(409);
        await().atMost(CONVERGE).until(() -> "Ready".equals(pooler().get("phase")) && Integer.valueOf(2).equals(pooler().get("running")));
        try (Connection c = app(); Statement st = c.createStatement()) {
            st.execute("create table if not exists pooled (id bigserial primary key, client int, at timestamptz default now())");
            assertThat(one(c, "select current_user")).isEqualTo("app");
            assertThat(one(c, "select pg_is_in_recovery()")).isEqualTo("f");
        }
        String poolerPassword = probe.secret("pooler", "password");
        String appPassword = probe.secret("app", "password");
        try (var files = Files.walk(home.resolve("services").resolve("poolers"))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".s.")).toList()) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain(appPassword);
            }
        }
        assertThat(poolerPassword).isNotBlank();
    }

    @Test
    @Order(3)
    void fiveSwitchoversThroughThePoolerCostNoClientError() throws Exception {
        Path script = home.resolve("insert.sql");
        Files.writeString(script, "INSERT INTO pooled (client) VALUES (:client_id);\n");
        try (Connection c = app(); Statement st = c.createStatement()) {
            st.execute("truncate pooled");
        }
        ProcessBuilder pgbench = new ProcessBuilder(PostgresBinaries.detect().tool("pgbench"), "-n", "-c", "4", "-j", "2",
                "-T", "150", "-f", script.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port()), "-U", "app", "app")
                .redirectErrorStream(true);
        pgbench.environment().put("PGPASSWORD", probe.secret("app", "password"));
        Process bench = pgbench.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<Long> extraMillis = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            probe.awaitHealthy(CONVERGE);
            String old = probe.currentPrimary();
            long at = System.nanoTime();
            var response = platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(response.body()).contains("\"poolersHeld\":1");
            await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()) && probe.healthy());
            extraMillis.add((System.nanoTime() - at) / 1_000_000);
        }
        String result = output.get();
        assertThat(bench.waitFor()).as(result).isZero();
        Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(result);
        assertThat(processed.find()).as(result).isTrue();
        long acknowledged = Long.parseLong(processed.group(1));
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(result);
        assertThat(failed.find() ? Long.parseLong(failed.group(1)) : 0).as(result).isZero();
        try (Connection c = app()) {
            assertThat(Long.parseLong(one(c, "select count(*) from pooled"))).as("every acknowledged transaction is there")
                    .isEqualTo(acknowledged);
        }
        System.out.printf("pooler: 5 switchovers under pgbench, %d transactions, 0 errors; switchover to healthy (ms): %s%n",
                acknowledged, extraMillis);
    }

    @Test
    @Order(4)
    void aRollingRestartThroughThePoolerCostsNoClientError() throws Exception {
        probe.awaitHealthy(CONVERGE);
        Path script = home.resolve("insert.sql");
        try (Connection c = app(); Statement st = c.createStatement()) {
            st.execute("truncate pooled");
        }
        ProcessBuilder pgbench = new ProcessBuilder(PostgresBinaries.detect().tool("pgbench"), "-n", "-c", "4", "-j", "2",
                "-T", "60", "-f", script.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port()), "-U", "app", "app")
                .redirectErrorStream(true);
        pgbench.environment().put("PGPASSWORD", probe.secret("app", "password"));
        Process bench = pgbench.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String old = probe.currentPrimary();
        java.time.Instant requested = java.time.Instant.now();
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/restart", null).statusCode()).isEqualTo(202);
        // the primary moves by a switchover, with the pooler held (the provisioner asks the services module first)
        await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()) && probe.healthy());
        String result = output.get();
        assertThat(bench.waitFor()).as(result).isZero();
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(result);
        assertThat(failed.find() ? Long.parseLong(failed.group(1)) : 0).as(result).isZero();
        assertThat(Files.readString(home.resolve("logs").resolve("provisioner.log"))).contains("poolers held for the switchover");
        System.out.printf("pooler: rolling restart requested at %s under pgbench, 0 errors%n", requested);
    }

    @Test
    @Order(5)
    void clientsRecoverFromAKilledPrimaryWithoutReconfiguration() throws Exception {
        probe.awaitHealthy(CONVERGE);
        String old = probe.currentPrimary();
        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        await().atMost(CONVERGE).until(() -> {
            try (Connection c = app(); Statement st = c.createStatement()) {
                st.execute("insert into pooled (client) values (-1)");
                return !old.equals(probe.currentPrimary());
            } catch (SQLException e) {
                return false;
            }
        });
    }

    @Test
    @Order(6)
    void pausedFromTheManifestHoldsQueriesUntilResumed() throws Exception {
        probe.awaitHealthy(CONVERGE);
        // logged in before the pause: a login while paused waits too (PgBouncer may need the server for the lookup)
        try (Connection c = app()) {
            assertThat(one(c, "select 'before'")).isEqualTo("before");
            assertThat(platform.send("PUT", "/api/v1/poolers/" + POOLER, manifest.replace("poolMode: transaction",
                    "poolMode: transaction\n    paused: true")).statusCode()).isEqualTo(200);
            await().atMost(CONVERGE).until(() -> "Paused".equals(pooler().get("phase")));
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return one(c, "select 'served'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(CONVERGE).until(() -> metrics().contains("cnpg_pgbouncer_pools_cl_waiting{pooler=\"" + POOLER)
                    && waiting() >= 1);
            assertThat(held).isNotDone();
            assertThat(platform.send("PUT", "/api/v1/poolers/" + POOLER, manifest).statusCode()).isEqualTo(200);
            assertThat(held.get()).isEqualTo("served");
        }
        await().atMost(CONVERGE).until(() -> "Ready".equals(pooler().get("phase")));
    }

    static String metrics() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + platform.settings().servicesPort() + "/metrics/poolers")).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static double waiting() throws Exception {
        return metrics().lines().filter(l -> l.startsWith("cnpg_pgbouncer_pools_cl_waiting{") && l.contains("database=\"app\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(7)
    void deletingThePoolerStopsItsProcessesAndFreesItsPort() throws Exception {
        int port = port();
        assertThat(platform.send("DELETE", "/api/v1/poolers/" + POOLER, null).statusCode()).isEqualTo(202);
        await().atMost(CONVERGE).until(() -> Integer.valueOf(404).equals(pooler().get("httpStatus")));
        await().atMost(CONVERGE).until(() -> {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                return false;
            } catch (java.io.IOException refused) {
                return true;
            }
        });
        assertThat(home.resolve("services").resolve("poolers").resolve(POOLER)).doesNotExist();
    }
}
