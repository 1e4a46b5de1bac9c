package io.pgpilot.provisioner.databases;

import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.model.DatabaseDefinition;
import io.pgpilot.model.DatabaseValidator;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Database manifests against a real PostgreSQL 15. */
class ManagedDatabasesIT {

    @TempDir
    static Path home;
    static TestPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start(home.resolve("pg"), "data");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE odoo LOGIN");
            st.execute("CREATE ROLE other LOGIN");
        }
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    static ManagedDatabases.Connector connector() {
        return database -> DriverManager.getConnection(pg.jdbcUrl(database), "postgres", "");
    }

    static DatabaseDefinition manifest(String spec) {
        return DatabaseValidator.validate(io.pgpilot.model.ManifestParser.parse("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Database
                metadata:
                  name: odoo-db
                spec:
                  cluster: {name: odoo}
                """ + spec.indent(2), io.pgpilot.model.DatabaseManifest.class));
    }

    @Test
    void createsAlignsAndDropsADatabaseWithItsExtensions() throws Exception {
        DatabaseDefinition wanted = manifest("""
                name: odoo
                owner: odoo
                encoding: UTF8
                locale: C
                connectionLimit: 40
                extensions:
                  - name: unaccent
                  - name: pg_trgm
                """);
        var first = ManagedDatabases.reconcile(connector(), wanted);
        assertThat(first.phase()).isEqualTo(DatabaseStatusRecord.Phase.APPLIED);
        assertThat(first.extensions()).contains("pg_trgm", "unaccent");
        assertThat(ManagedDatabases.reconcile(connector(), wanted).statements()).isZero();
        try (Connection c = connector().connect("odoo"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT unaccent('Crème brûlée'), pg_get_userbyid(datdba), datconnlimit"
                     + " FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("Creme brulee");
            assertThat(rs.getString(2)).isEqualTo("odoo");
            assertThat(rs.getInt(3)).isEqualTo(40);
        }

        // the owner changes, one extension goes; the locale cannot change and is reported
        var changed = ManagedDatabases.reconcile(connector(), manifest("""
                name: odoo
                owner: other
                locale: en_US.UTF-8
                extensions:
                  - name: unaccent
                  - name: pg_trgm
                    ensure: absent
                """));
        assertThat(changed.phase()).isEqualTo(DatabaseStatusRecord.Phase.FAILED);
        assertThat(changed.message()).contains("lc_collate is C").contains("fixed when a database is created");
        assertThat(changed.extensions()).contains("unaccent").doesNotContain("pg_trgm");

        // an owner that does not exist: reported, nothing else breaks
        var noOwner = ManagedDatabases.reconcile(connector(), manifest("name: other_db\nowner: nobody\n"));
        assertThat(noOwner.phase()).isEqualTo(DatabaseStatusRecord.Phase.FAILED);
        assertThat(noOwner.message()).contains("CREATE DATABASE").contains("nobody");

        var dropped = ManagedDatabases.reconcile(connector(), manifest("name: odoo\nowner: other\nensure: absent\n"));
        assertThat(dropped.phase()).isEqualTo(DatabaseStatusRecord.Phase.DROPPED);
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'odoo'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
