package io.pgpilot.system;

import io.pgpilot.events.Json;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, declarative roles and databases on the running platform: spec.managed.roles with a
 * password from a secret, a Database manifest with extensions owned by a managed role, their
 * statuses, a password rotation through the secret, and deletion with the reclaim policy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedObjectsSystemIT {

    static final String CLUSTER = "erp";
    static final Duration RECONCILE = Duration.ofSeconds(60);
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;

    static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: erp
            spec:
              instances: 1
              managed:
                roles:
                  - name: odoo
                    login: true
                    connectionLimit: 30
                    inRoles: [pg_monitor]
                    passwordSecret: {name: odoo-login}
                  - name: readers
                    ensure: %s
            """;

    static final String DATABASE = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Database
            metadata:
              name: erp-odoo
            spec:
              cluster: {name: erp}
              name: odoo
              owner: odoo
              databaseReclaimPolicy: delete
              extensions:
                - name: unaccent
                - name: pg_trgm
            """;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-managed");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        writeSecret("first-Pa55word");
        assertThat(platform.apply(MANIFEST.formatted("present"), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    static void writeSecret(String password) throws Exception {
        Path file = home.resolve("secrets").resolve("odoo-login.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"username\":\"odoo\",\"password\":\"" + password + "\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static Connection login(String database, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "odoo");
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + probe.rw() + "/" + database, props);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> rolesStatus() {
        return (Map<String, Object>) platform.status(CLUSTER).get("managedRolesStatus");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> database(String name) {
        var response = platform.send("GET", "/api/v1/databases/" + name, null);
        return response.statusCode() == 200 ? Json.MAPPER.readValue(response.body(), Map.class) : Map.of("httpStatus", response.statusCode());
    }

    @Test
    @Order(1)
    void managedRolesAreCreatedAndReported() {
        await().atMost(RECONCILE).until(() -> rolesStatus() != null && Boolean.TRUE.equals(rolesStatus().get("current"))
                && ((List<?>) rolesStatus().get("reconciled")).containsAll(List.of("odoo", "readers")));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            try (Connection c = login("app", "first-Pa55word"); ResultSet rs = c.createStatement().executeQuery(
                    "select pg_has_role('odoo', 'pg_monitor', 'MEMBER'), rolconnlimit from pg_roles where rolname = 'odoo'")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getInt(2)).isEqualTo(30);
            }
        });
    }

    @Test
    @Order(2)
    void aDatabaseManifestCreatesTheDatabaseWithItsExtensions() throws Exception {
        var refused = platform.send("POST", "/api/v1/databases", DATABASE.replace("unaccent", "file_fdw"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("spec.extensions[0].name");
        assertThat(platform.send("POST", "/api/v1/databases", DATABASE.replace("name: erp}", "name: nosuch}")).statusCode())
                .isEqualTo(400);
        assertThat(platform.send("POST", "/api/v1/databases", DATABASE).statusCode()).isEqualTo(201);
        assertThat(platform.send("POST", "/api/v1/databases", DATABASE.replace("name: erp-odoo", "name: erp-odoo-2")).statusCode())
                .as("one manifest per database").isEqualTo(409);
        await().atMost(RECONCILE).until(() -> Boolean.TRUE.equals(database("erp-odoo").get("applied")));
        assertThat(database("erp-odoo").get("installedExtensions").toString()).contains("unaccent").contains("pg_trgm");
        try (Connection c = login("odoo", "first-Pa55word");
             ResultSet rs = c.createStatement().executeQuery("select unaccent('Déjà vu'), pg_get_userbyid(datdba) from pg_database"
                     + " where datname = current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("Deja vu");
            assertThat(rs.getString(2)).isEqualTo("odoo");
        }
    }

    @Test
    @Order(3)
    void aPasswordRotatesThroughItsSecretAndAbsentRolesAreDropped() throws Exception {
        writeSecret("second-Pa55word");
        assertThat(platform.apply(MANIFEST.formatted("absent"), CLUSTER)).isEqualTo(200);
        await().atMost(RECONCILE).ignoreExceptions().until(() -> {
            login("app", "second-Pa55word").close();
            return true;
        });
        assertThatThrownBy(() -> login("app", "first-Pa55word").close()).isInstanceOf(SQLException.class);
        await().atMost(RECONCILE).until(() -> Boolean.TRUE.equals(rolesStatus().get("current")));
        try (Connection c = probe.superuser(CLUSTER + "-1");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_roles where rolname = 'readers'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
        // no password in the platform's logs or events
        try (var logs = Files.walk(home.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain("second-Pa55word").doesNotContain("first-Pa55word");
            }
        }
    }

    @Test
    @Order(4)
    void deletingWithTheDeleteReclaimPolicyDropsTheDatabase() throws Exception {
        assertThat(platform.send("DELETE", "/api/v1/databases/erp-odoo", null).statusCode()).isEqualTo(202);
        await().atMost(RECONCILE).until(() -> Integer.valueOf(404).equals(database("erp-odoo").get("httpStatus")));
        try (Connection c = probe.superuser(CLUSTER + "-1");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_database where datname = 'odoo'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
