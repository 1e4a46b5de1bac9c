package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HibernationManifestTest {

    private static ClusterDefinition parse(String annotation) {
        return ManifestValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: shop
                  annotations:
                    cnpg.io/hibernation: "%s"
                spec:
                  instances: 2
                """.formatted(annotation));
    }

    @Test
    void onHibernatesOffWakesUp() {
        assertThat(parse("on").hibernated()).isTrue();
        assertThat(parse("off").hibernated()).isFalse();
        assertThat(ManifestValidator.parseAndValidate("""
                {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"a1"},"spec":{"instances":1}}""")
                .hibernated()).isFalse();
    }

    @Test
    void anyOtherValueIsRefused() {
        assertThatThrownBy(() -> parse("yes")).isInstanceOf(ManifestException.class)
                .hasMessageContaining("metadata.annotations.cnpg.io/hibernation: must be 'on' or 'off'");
    }
}
