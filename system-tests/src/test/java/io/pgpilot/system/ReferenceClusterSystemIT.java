package io.pgpilot.system;

import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The README's promise, end to end: the whole platform as processes (real Kafka, PostgreSQL,
 * HAProxy), the reference manifest applied through the gateway, traffic through rw / ro / r.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReferenceClusterSystemIT {

    static final String CLUSTER = "postgres-cluster";
    static Path home;
    static LocalPlatform platform;
    static Map<String, Object> status;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-system");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(Files.readString(Path.of("../examples/postgres-cluster.yaml")), CLUSTER)).isEqualTo(201);
        status = platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        System.out.printf("reference cluster healthy %.1f s after platform start; control plane RSS %d MiB%n",
                platform.readyMillis() / 1000.0, platform.controlPlaneRssMiB());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @SuppressWarnings("unchecked")
    static String endpoint(String suffix) {
        return ((Map<String, String>) status.get("endpoints")).get(CLUSTER + "-" + suffix);
    }

    static String appPassword() throws Exception {
        String secret = Files.readString(home.resolve("secrets").resolve(CLUSTER + "-app.json"));
        return secret.replaceAll("(?s).*\"password\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    static Connection connect(String suffix) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + endpoint(suffix) + "/app", "app", appPassword());
    }

    static String serverName(Connection connection) throws SQLException {
        try (ResultSet rs = connection.createStatement().executeQuery("select current_setting('cluster_name')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void statusShowsOnePrimaryTwoStreamingReplicasAndOneSyncStandby() {
        assertThat(status.get("currentPrimary")).isEqualTo(CLUSTER + "-1");
        assertThat(status.get("readyInstances")).isEqualTo(3);
        assertThat(status.get("synchronousStandbys")).isEqualTo(1);
        assertThat((String) status.get("synchronousStandbyNames")).startsWith("ANY 1");
        var instances = (List<Map<String, Object>>) status.get("instanceStatus");
        assertThat(instances).extracting(i -> i.get("role")).containsExactly("primary", "replica", "replica");
        assertThat(instances.subList(1, 3)).allSatisfy(i -> {
            assertThat(i.get("walReceiver")).isEqualTo("streaming");
            assertThat(i.get("timeline")).isEqualTo(1);
            assertThat(i.get("syncState")).isIn("quorum", "sync");
        });
    }

    @Test
    @Order(2)
    void aRowWrittenThroughRwIsReadableThroughRoWithinOneSecond() throws Exception {
        try (Connection rw = connect("rw")) {
            assertThat(serverName(rw)).isEqualTo(CLUSTER + "-1");
            rw.createStatement().execute("create table if not exists probe (id int primary key, note text)");
            rw.createStatement().execute("insert into probe values (1, 'hello')");
        }
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            try (Connection ro = connect("ro");
                 ResultSet rs = ro.createStatement().executeQuery("select note from probe where id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("hello");
            }
        });
    }

    @Test
    @Order(3)
    void writesThroughRoAreRefusedByPostgres() throws Exception {
        try (Connection ro = connect("ro")) {
            assertThatThrownBy(() -> ro.createStatement().execute("insert into probe values (2, 'nope')"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
        }
    }

    @Test
    @Order(4)
    void roBalancesAcrossReplicasAndRReachesEveryInstance() throws Exception {
        Set<String> viaRo = new HashSet<>();
        Set<String> viaR = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            try (Connection ro = connect("ro"); Connection r = connect("r")) {
                viaRo.add(serverName(ro));
                viaR.add(serverName(r));
            }
        }
        assertThat(viaRo).containsExactlyInAnyOrder(CLUSTER + "-2", CLUSTER + "-3");
        assertThat(viaR).containsExactlyInAnyOrder(CLUSTER + "-1", CLUSTER + "-2", CLUSTER + "-3");
    }

    @Test
    @Order(5)
    void verifyFullWithThePublishedCaThroughRwRoRAndDirectly() throws Exception {
        Path ca = home.resolve("secrets").resolve(CLUSTER + "-ca.crt");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca))).isEqualTo("rw-------");
        List<String> addresses = new java.util.ArrayList<>(List.of(endpoint("rw"), endpoint("ro"), endpoint("r")));
        addresses.add(endpoint("rw").replace("127.0.0.1", "localhost"));
        try (Stream<Path> instances = Files.list(home.resolve("clusters").resolve(CLUSTER))) {
            for (Path metadata : instances.map(d -> d.resolve("instance.json")).filter(Files::exists).toList()) {
                addresses.add("127.0.0.1:" + Files.readString(metadata).replaceAll("(?s).*\"port\"\\s*:\\s*([0-9]+).*", "$1"));
            }
        }
        assertThat(addresses).hasSize(7);
        for (String address : addresses) {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", "app");
            props.setProperty("password", appPassword());
            props.setProperty("sslmode", "verify-full");
            props.setProperty("sslrootcert", ca.toString());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + address + "/app", props);
                 ResultSet rs = c.createStatement().executeQuery("SELECT ssl::text || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getString(1)).as(address).isEqualTo("true TLSv1.3");
            }
        }
    }

    @Test
    @Order(5)
    void secretsNeverReachTheLogs() throws Exception {
        String password = appPassword();
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        try (Stream<Path> logs = Files.walk(home)) {
            List<Path> leaking = logs.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains(password);
                        } catch (Exception e) {
                            return false;
                        }
                    }).toList();
            assertThat(leaking).isEmpty();
        }
    }

    @Test
    @Order(6)
    void deletingTheClusterRemovesItsInstances() {
        assertThat(platform.send("DELETE", "/api/v1/clusters/" + CLUSTER, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(home.resolve("clusters").resolve(CLUSTER)));
        assertThat(platform.status(CLUSTER)).containsEntry("httpStatus", 404);
    }
}
