package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseValidatorTest {

    private static final String HEAD = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Database
            metadata:
              name: odoo-db
            spec:
            """;

    @Test
    void acceptsCloudNativePgsFormWithDefaults() {
        DatabaseDefinition db = DatabaseValidator.parseAndValidate(HEAD + """
                  cluster:
                    name: odoo
                  name: odoo
                  owner: odoo
                  extensions:
                    - name: unaccent
                    - name: pg_trgm
                      schema: public
                """);
        assertThat(db.cluster()).isEqualTo("odoo");
        assertThat(db.database()).isEqualTo("odoo");
        assertThat(db.present()).isTrue();
        assertThat(db.reclaimDelete()).isFalse();
        assertThat(db.template()).isEqualTo("template1");
        assertThat(db.allowConnections()).isTrue();
        assertThat(db.extensions()).extracting(DatabaseDefinition.Extension::name).containsExactly("unaccent", "pg_trgm");
    }

    @Test
    void anEncodingOrLocaleOtherThanTheTemplatesUsesTemplate0() {
        DatabaseDefinition db = DatabaseValidator.parseAndValidate(HEAD + """
                  cluster: {name: wp}
                  name: wordpress
                  owner: wordpress
                  encoding: utf-8
                  locale: C.UTF-8
                  databaseReclaimPolicy: delete
                """);
        assertThat(db.encoding()).isEqualTo("UTF8");
        assertThat(db.lcCollate()).isEqualTo("C.UTF-8");
        assertThat(db.lcCtype()).isEqualTo("C.UTF-8");
        assertThat(db.template()).isEqualTo("template0");
        assertThat(db.reclaimDelete()).isTrue();
    }

    @Test
    void refusesEveryBadFieldNamingIt() {
        assertThatThrownBy(() -> DatabaseValidator.parseAndValidate(HEAD + """
                  cluster: {name: "Bad Cluster"}
                  name: template1
                  owner: postgres
                  ensure: gone
                  encoding: EBCDIC
                  locale: "en_US; DROP"
                  template: mine
                  connectionLimit: -2
                  databaseReclaimPolicy: shred
                  extensions:
                    - name: file_fdw
                    - name: plpgsql
                    - name: plpgsql
                      version: "1.0; DROP"
                      schema: Public
                """)).isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.cluster.name")
                .hasMessageContaining("spec.name: 'template1' is a database of PostgreSQL")
                .hasMessageContaining("spec.owner: 'postgres' is a role of PostgreSQL or of pgpilot")
                .hasMessageContaining("spec.ensure")
                .hasMessageContaining("spec.encoding")
                .hasMessageContaining("spec.locale")
                .hasMessageContaining("spec.template")
                .hasMessageContaining("spec.connectionLimit")
                .hasMessageContaining("spec.databaseReclaimPolicy")
                .hasMessageContaining("spec.extensions[0].name: 'file_fdw' is not an extension pgpilot installs")
                .hasMessageContaining("spec.extensions[2].name: 'plpgsql' is listed twice")
                .hasMessageContaining("spec.extensions[2].version")
                .hasMessageContaining("spec.extensions[2].schema");
    }

    @Test
    void requiresNameOwnerAndClusterAndRefusesUnknownFields() {
        assertThatThrownBy(() -> DatabaseValidator.parseAndValidate(HEAD + "  ensure: present\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("spec.cluster.name: is required")
                .hasMessageContaining("spec.name: is required").hasMessageContaining("spec.owner: is required");
        assertThatThrownBy(() -> DatabaseValidator.parseAndValidate(HEAD + "  cluster: {name: a}\n  name: a\n  owner: a\n  tablespace: fast\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("tablespace");
        assertThatThrownBy(() -> DatabaseValidator.parseAndValidate(HEAD.replace("kind: Database", "kind: Cluster")
                + "  cluster: {name: a}\n  name: a\n  owner: a\n")).isInstanceOf(ManifestException.class).hasMessageContaining("kind");
    }
}
