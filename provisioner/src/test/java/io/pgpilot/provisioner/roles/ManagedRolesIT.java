package io.pgpilot.provisioner.roles;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.support.security.SecretFiles;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Managed roles against a real PostgreSQL 15 (password authentication enforced for the test logins). */
class ManagedRolesIT {

    @TempDir
    static Path home;
    static TestPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start(home.resolve("pg"), "data", java.util.List.of("password_encryption = 'scram-sha-256'"));
        // logins of managed roles over TCP need their password; the superuser keeps trust
        Files.writeString(pg.dataDir().resolve("pg_hba.conf"), "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                + "host all all 127.0.0.1/32 scram-sha-256\n");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
        Files.createDirectories(home.resolve("secrets"));
        secret("odoo-user", "odoo", "first-Pa55");
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    static void secret(String name, String user, String password) throws Exception {
        Files.writeString(home.resolve("secrets").resolve(name + ".json"),
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    }

    static ClusterDefinition cluster(String roles) {
        return ManifestValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: shop
                spec:
                  instances: 1
                  managed:
                    roles:
                """ + roles.indent(6));
    }

    static Connection login(String user, String password) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl("postgres"), user, password);
    }

    @Test
    void createsAltersChangesPasswordsAndDropsRolesIdempotently() throws Exception {
        ManagedRoles roles = new ManagedRoles(new SecretFiles(home));
        ClusterDefinition spec = cluster("""
                - name: reporting
                - name: odoo
                  login: true
                  comment: the ERP
                  connectionLimit: 20
                  inRoles: [reporting, pg_monitor]
                  passwordSecret: {name: odoo-user}
                - name: missing_secret
                  login: true
                  passwordSecret: {name: nowhere}
                """);
        try (Connection c = pg.connect()) {
            ManagedRoles.Outcome first = roles.reconcile(c, spec);
            assertThat(first.reconciled()).containsExactly("odoo", "reporting");
            assertThat(first.failed()).containsOnlyKeys("missing_secret");
            assertThat(first.failed().get("missing_secret")).contains("nowhere").doesNotContain("first-Pa55");
            try (Connection odoo = login("odoo", "first-Pa55"); Statement st = odoo.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_has_role('odoo', 'reporting', 'MEMBER'), pg_has_role('odoo', 'pg_monitor', 'MEMBER'),"
                         + " (SELECT rolconnlimit FROM pg_roles WHERE rolname = 'odoo'), shobj_description('odoo'::regrole, 'pg_authid')")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getBoolean(2)).isTrue();
                assertThat(rs.getInt(3)).isEqualTo(20);
                assertThat(rs.getString(4)).isEqualTo("the ERP");
            }
            // nothing changed: nothing runs (the SCRAM verifier is compared, the password is not set again)
            assertThat(roles.reconcile(c, spec).statements()).isZero();

            secret("odoo-user", "odoo", "second-Pa55");
            ClusterDefinition changed = cluster("""
                    - name: reporting
                      ensure: absent
                    - name: odoo
                      login: true
                      inRoles: [pg_monitor]
                      passwordSecret: {name: odoo-user}
                    """);
            ManagedRoles.Outcome second = roles.reconcile(c, changed);
            assertThat(second.failed()).isEmpty();
            assertThatThrownBy(() -> login("odoo", "first-Pa55").close()).isInstanceOf(SQLException.class);
            login("odoo", "second-Pa55").close();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'reporting'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            assertThat(roles.reconcile(c, changed).statements()).isZero();
        }
        // the passwords never reached the server's log
        String log = Files.readString(pg.dataDir().resolve("server.log"));
        assertThat(log).doesNotContain("first-Pa55").doesNotContain("second-Pa55");
    }

    @Test
    void aRoleThatOwnsObjectsCannotBeDroppedAndIsReported() throws Exception {
        ManagedRoles roles = new ManagedRoles(new SecretFiles(home));
        try (Connection c = pg.connect()) {
            roles.reconcile(c, cluster("- name: owner_of_things\n"));
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE owned (id int)");
                st.execute("ALTER TABLE owned OWNER TO owner_of_things");
            }
            ManagedRoles.Outcome outcome = roles.reconcile(c, cluster("- name: owner_of_things\n  ensure: absent\n- name: bystander\n"));
            assertThat(outcome.failed()).containsOnlyKeys("owner_of_things");
            assertThat(outcome.failed().get("owner_of_things")).contains("DROP ROLE").contains("depend");
            assertThat(outcome.reconciled()).containsExactly("bystander");
        }
    }
}
