package io.pgpilot.model;

import io.pgpilot.model.PoolerDefinition.PoolMode;
import io.pgpilot.model.PoolerDefinition.Type;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolerValidatorTest {

    static final String CNPG_EXAMPLE = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Pooler
            metadata:
              name: pooler-example-rw
            spec:
              cluster:
                name: cluster-example
              instances: 3
              type: rw
              pgbouncer:
                poolMode: session
                parameters:
                  max_client_conn: "1000"
                  default_pool_size: "10"
            """;

    static ManifestException refused(String yaml) {
        return (ManifestException) org.assertj.core.api.Assertions.catchThrowable(() -> PoolerValidator.parseAndValidate(yaml));
    }

    @Test
    void acceptsCloudNativePgsExampleVerbatim() {
        PoolerDefinition pooler = PoolerValidator.parseAndValidate(CNPG_EXAMPLE);
        assertThat(pooler.name()).isEqualTo("pooler-example-rw");
        assertThat(pooler.cluster()).isEqualTo("cluster-example");
        assertThat(pooler.type()).isEqualTo(Type.RW);
        assertThat(pooler.instances()).isEqualTo(3);
        assertThat(pooler.poolMode()).isEqualTo(PoolMode.SESSION);
        assertThat(pooler.parameters()).containsEntry("max_client_conn", "1000").containsEntry("default_pool_size", "10");
        assertThat(pooler.paused()).isFalse();
        assertThat(pooler.effectiveAuthQuery()).isEqualTo(PoolerDefinition.DEFAULT_AUTH_QUERY);
    }

    @Test
    void defaultsAreOneSessionRwInstance() {
        PoolerDefinition pooler = PoolerValidator.parseAndValidate("""
                {"apiVersion":"postgresql.cnpg.io/v1","kind":"Pooler","metadata":{"name":"p"},
                 "spec":{"cluster":{"name":"c"},"pgbouncer":{"paused":true}}}""");
        assertThat(pooler.type()).isEqualTo(Type.RW);
        assertThat(pooler.instances()).isEqualTo(1);
        assertThat(pooler.poolMode()).isEqualTo(PoolMode.SESSION);
        assertThat(pooler.paused()).isTrue();
    }

    @Test
    void unknownFieldsAreRefusedNamingThePath() {
        assertThat(refused(CNPG_EXAMPLE.replace("poolMode: session", "poolMode: session\n    poolmod: x")).violations())
                .anySatisfy(v -> assertThat(v.field()).isEqualTo("spec.pgbouncer.poolmod"));
    }

    @Test
    void everyBadValueIsNamed() {
        ManifestException e = refused("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Pooler
                metadata: {name: Bad_Name}
                spec:
                  cluster: {}
                  type: rwx
                  instances: 11
                  pgbouncer:
                    poolMode: statement
                """);
        assertThat(e.violations()).extracting(ManifestException.Violation::field).containsExactlyInAnyOrder(
                "metadata.name", "spec.cluster.name", "spec.type", "spec.instances", "spec.pgbouncer.poolMode");
        assertThat(e.getMessage()).contains("'statement' is not supported");
    }

    @Test
    void parametersOutsideTheAllowlistOrOwnedByPgpilotAreRefused() {
        ManifestException e = refused(CNPG_EXAMPLE.replace("max_client_conn: \"1000\"", String.join("\n      ",
                "max_client_conn: lots", "listen_port: \"6432\"", "auth_file: /etc/passwd", "shared_buffers: 1GB")));
        assertThat(e.violations()).extracting(ManifestException.Violation::field).containsExactlyInAnyOrder(
                "spec.pgbouncer.parameters.listen_port", "spec.pgbouncer.parameters.auth_file",
                "spec.pgbouncer.parameters.shared_buffers", "spec.pgbouncer.parameters.max_client_conn");
        assertThat(e.getMessage()).contains("listen_port: is managed by pgpilot")
                .contains("shared_buffers: is not a PgBouncer parameter a Pooler may set")
                .contains("'lots' is not a whole number");
    }

    @Test
    void valuesCannotBreakOutOfTheIniFile() {
        assertThat(refused(CNPG_EXAMPLE.replace("default_pool_size: \"10\"",
                "server_reset_query: \"DISCARD ALL\\nauth_type = trust\"")).violations())
                .singleElement().satisfies(v -> assertThat(v.field()).isEqualTo("spec.pgbouncer.parameters.server_reset_query"));
        assertThat(PoolerValidator.parseAndValidate(CNPG_EXAMPLE.replace("default_pool_size: \"10\"",
                "server_reset_query: DISCARD ALL")).parameters()).containsEntry("server_reset_query", "DISCARD ALL");
    }

    @Test
    void aCustomAuthQueryNeedsItsOwnSecretAndTheUserPlaceholder() {
        String base = CNPG_EXAMPLE.replace("poolMode: session", "poolMode: transaction\n    %s");
        assertThat(refused(base.formatted("authQuery: SELECT usename, passwd FROM pg_shadow WHERE usename=$1")).getMessage())
                .contains("needs spec.pgbouncer.authQuerySecret");
        assertThat(refused(base.formatted("authQuerySecret: {name: pooler-auth}\n    authQuery: SELECT 1")).getMessage())
                .contains("uses $1");
        assertThat(refused(base.formatted("authQuerySecret: {name: other-superuser}\n    authQuery: SELECT usename, passwd FROM f($1)"))
                .getMessage()).contains("a secret pgpilot generates");
        PoolerDefinition ok = PoolerValidator.parseAndValidate(base.formatted(
                "authQuerySecret: {name: pooler-auth}\n    authQuery: SELECT usename, passwd FROM my_lookup($1)"));
        assertThat(ok.authQuerySecret()).isEqualTo("pooler-auth");
        assertThat(ok.effectiveAuthQuery()).isEqualTo("SELECT usename, passwd FROM my_lookup($1)");
    }

    @Test
    void theKindMustBePooler() {
        assertThatThrownBy(() -> PoolerValidator.parseAndValidate(CNPG_EXAMPLE.replace("kind: Pooler", "kind: Cluster")))
                .hasMessageContaining("kind: must be Pooler");
    }

    @Test
    void kubernetesOnlyFieldsAreAccepted() {
        PoolerDefinition pooler = PoolerValidator.parseAndValidate(CNPG_EXAMPLE + """
                  monitoring:
                    enablePodMonitor: true
                  template:
                    metadata:
                      labels: {app: pooler}
                    spec:
                      containers: []
                """);
        assertThat(pooler.name()).isEqualTo("pooler-example-rw");
    }
}
