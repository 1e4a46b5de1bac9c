package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code spec.certificates}: requireTls (strict boolean) and serverAltDNSNames. */
class CertificatesManifestTest {

    static String manifest(String certificates) {
        return "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pc\nspec:\n  instances: 2\n" + certificates;
    }

    @Test
    void defaultsAllowPlainTextForApplications() {
        ClusterDefinition cluster = ManifestValidator.parseAndValidate(manifest(""));
        assertThat(cluster.requireTls()).isFalse();
        assertThat(cluster.serverAltDnsNames()).isEmpty();
    }

    @Test
    void requireTlsAndAltNamesAreRead() {
        ClusterDefinition cluster = ManifestValidator.parseAndValidate(manifest("""
                  certificates:
                    requireTls: true
                    serverAltDNSNames: [db.example.org, "*.pg.example.org"]
                """));
        assertThat(cluster.requireTls()).isTrue();
        assertThat(cluster.serverAltDnsNames()).containsExactly("db.example.org", "*.pg.example.org");
    }

    @Test
    void requireTlsMustBeABoolean() {
        for (String value : new String[] {"\"true\"", "yes-please", "1"}) {
            assertThatThrownBy(() -> ManifestValidator.parseAndValidate(manifest("  certificates:\n    requireTls: " + value + "\n")))
                    .as(value).isInstanceOf(ManifestException.class).hasMessageContaining("spec.certificates.requireTls");
        }
    }

    @Test
    void badAltNamesAndUnknownFieldsAreNamed() {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(manifest("""
                  certificates:
                    serverAltDNSNames: [ok.example.org, "bad name", "UPPER.example"]
                """)))
                .hasMessageContaining("spec.certificates.serverAltDNSNames[1]")
                .hasMessageContaining("spec.certificates.serverAltDNSNames[2]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("serverAltDNSNames[0]"));
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(manifest("  certificates:\n    serverCASecret: x\n")))
                .hasMessageContaining("spec.certificates.serverCASecret").hasMessageContaining("unknown field");
    }
}
