package io.pgpilot.instance.configuration;

import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigRendererTest {

    @Test
    void quotesConfigurationStrings() {
        assertThat(ConfigRenderer.quote("plain")).isEqualTo("'plain'");
        assertThat(ConfigRenderer.quote("it's")).isEqualTo("'it''s'");
        assertThat(ConfigRenderer.quote("a\\b")).isEqualTo("'a\\\\b'");
    }

    /** Regression (issue 10): user parameters were included after pgpilot's own and could override them. */
    @Test
    void managedSettingsAreIncludedLastSoNothingOverridesThem() {
        String initdb = "max_connections = 100\n";
        String conf = ConfigRenderer.withIncludes(initdb);
        assertThat(conf).startsWith(initdb);
        assertThat(conf.indexOf("include_if_exists = 'custom.conf'"))
                .isPositive().isLessThan(conf.indexOf("include_if_exists = 'pgpilot.conf'"));
        assertThat(conf.strip()).endsWith("include_if_exists = 'pgpilot.conf'");
        assertThat(ConfigRenderer.withIncludes(conf)).isEqualTo(conf);
        // a data directory written by an earlier pgpilot (custom last) is rewritten in the safe order
        String old = initdb + "\n" + ConfigRenderer.INCLUDE_MARKER + "\ninclude_if_exists = 'pgpilot.conf'\ninclude_if_exists = 'custom.conf'\n";
        assertThat(ConfigRenderer.withIncludes(old)).isEqualTo(conf);
    }

    @Test
    void customFileHoldsUserParametersSortedAndQuoted() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("shared_buffers", "256MB");
        params.put("max_connections", "200");
        params.put("search_path", "'$user', public");
        assertThat(ConfigRenderer.custom(params)).isEqualTo("""
                # user parameters from the cluster manifest (managed by pgpilot)
                max_connections = '200'
                search_path = '''$user'', public'
                shared_buffers = '256MB'
                """);
    }

    @Test
    void primaryManagedFileHasReplicationSettingsAndNoUpstream() {
        String text = ConfigRenderer.managed(new ManagedSettings("pc-1", 15432, Path.of("/h/pc-1/sock"), Path.of("/h/pc-1/log"),
                "ANY 1 (\"pc-2\",\"pc-3\")", null));
        assertThat(text).contains("port = 15432\n", "listen_addresses = '127.0.0.1'\n", "unix_socket_directories = '/h/pc-1/sock'\n",
                "wal_level = replica\n", "hot_standby = on\n", "wal_log_hints = on\n", "max_wal_senders = 10\n",
                "max_replication_slots = 10\n", "wal_keep_size = '512MB'\n", "cluster_name = 'pc-1'\n",
                "synchronous_standby_names = 'ANY 1 (\"pc-2\",\"pc-3\")'\n", "primary_conninfo = ''\n",
                "log_directory = '/h/pc-1/log'\n", "wal_receiver_timeout = '5s'\n", "wal_sender_timeout = '5s'\n",
                "wal_receiver_status_interval = '1s'\n");
        assertThat(text).doesNotContain("recovery_target_timeline");
        assertThat(ConfigRenderer.upstreamPort(text)).isZero();
        assertThat(ConfigRenderer.upstreamHost(text)).isNull();
    }

    @Test
    void replicaManagedFileFollowsThePrimaryWithAClientCertificate() {
        String text = ConfigRenderer.managed(new ManagedSettings("pc-2", 15433, Path.of("/h/pc-2/sock"), Path.of("/h/pc-2/log"), "",
                new Upstream("127.0.0.1", 15432, Path.of("/h/pc-2/tls"))));
        assertThat(text).contains("primary_conninfo = 'host=''127.0.0.1'' port=15432 user=streaming_replica "
                + "application_name=''pc-2'' sslmode=verify-ca sslrootcert=''/h/pc-2/tls/ca.crt'' "
                + "sslcert=''/h/pc-2/tls/replication.crt'' sslkey=''/h/pc-2/tls/replication.key'''\n", "recovery_target_timeline = 'latest'\n",
                "synchronous_standby_names = ''\n");
        assertThat(text).doesNotContainIgnoringCase("password=");
        assertThat(ConfigRenderer.upstreamPort(text)).isEqualTo(15432);
        assertThat(ConfigRenderer.upstreamHost(text)).isEqualTo("127.0.0.1");
        assertThat(ConfigRenderer.upstreamHost(ConfigRenderer.managed(new ManagedSettings("pc-2", 15432, Path.of("/h/pc-2/sock"),
                Path.of("/h/pc-2/log"), "", new Upstream("10.0.1.11", 15432, Path.of("/h/pc-2/tls")))))).isEqualTo("10.0.1.11");
    }

    @Test
    void clustersWithBackupArchiveThroughTheBackupServiceFromEveryInstance() throws Exception {
        var cluster = io.pgpilot.model.ManifestValidator.parseAndValidate(
                java.nio.file.Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var archiving = ConfigRenderer.Archiving.of(cluster, "http://127.0.0.1:8084/");
        String text = ConfigRenderer.managed(new ManagedSettings("postgres-cluster-2", 15433, Path.of("/h/s"), Path.of("/h/l"), "",
                new Upstream("127.0.0.1", 15432, Path.of("/h/p"))).withArchiving(archiving));
        assertThat(text).contains("archive_mode = always\n", "archive_timeout = '60s'\n",
                "archive_command = 'curl -K ../backup-service.curl -sS -f --max-time 120 -H \"Content-Type: application/octet-stream\" -T \"%p\" "
                        + "http://127.0.0.1:8084/wal/postgres-cluster/%f'\n",
                "restore_command = 'curl -K ../backup-service.curl -sS -f --max-time 120 -o \"%p\" http://127.0.0.1:8084/wal/postgres-cluster/%f'\n");
        assertThat(text).doesNotContainIgnoringCase("secret").doesNotContainIgnoringCase("password")
                .doesNotContainIgnoringCase("bearer").doesNotContainIgnoringCase("authorization");
        assertThat(ConfigRenderer.curlConfig("abcdefghijklmnopqrstuvwxyz_-0123456789"))
                .contains("header = \"Authorization: Bearer abcdefghijklmnopqrstuvwxyz_-0123456789\"\n");
        assertThatThrownBy(() -> ConfigRenderer.curlConfig("x\"\nurl = http://elsewhere")).isInstanceOf(IllegalArgumentException.class);
        String plain = ConfigRenderer.managed(new ManagedSettings("pc-1", 15432, Path.of("/h/s"), Path.of("/h/l"), "", null));
        assertThat(plain).doesNotContain("archive_").doesNotContain("restore_command");
    }

    @Test
    void walMaxParallelAboveOneArchivesThroughTheRenderedScriptWithoutSecrets() throws Exception {
        var cluster = io.pgpilot.model.ManifestValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: pc}
                spec:
                  instances: 1
                  backup:
                    barmanObjectStore:
                      destinationPath: s3://homelab-backups/pc/
                      s3Credentials:
                        accessKeyId: {name: s3-creds, key: ACCESS_KEY_ID}
                        secretAccessKey: {name: s3-creds, key: SECRET_ACCESS_KEY}
                      wal: {maxParallel: 4}
                """);
        assertThat(cluster.backup().walParallelism()).isEqualTo(4);
        var archiving = ConfigRenderer.Archiving.of(cluster, "http://127.0.0.1:8084");
        assertThat(archiving.maxParallel()).isEqualTo(4);
        String text = ConfigRenderer.managed(new ManagedSettings("pc-1", 15432, Path.of("/h/s"), Path.of("/h/l"), "", null)
                .withArchiving(archiving));
        assertThat(text).contains("archive_command = 'sh ../pgpilot-wal-archive.sh \"%p\" \"%f\"'\n",
                "restore_command = 'curl -K ../backup-service.curl");
        String script = WalArchiveScript.render(archiving);
        assertThat(script).startsWith("#!/bin/sh\n").contains("url='http://127.0.0.1:8084/wal/pc'\n", "max=4\n",
                "curl -K ../backup-service.curl -sS -f", "spool=../wal-archive-spool\n", "wait\n");
        // the marker is written only after the upload succeeded, through a temporary file renamed into place
        assertThat(script).contains("if put \"pg_wal/$o\" \"$o\" 2>/dev/null; then\n"
                + "      printf '%s' \"$s\" > \"$spool/.$o.tmp\" && mv \"$spool/.$o.tmp\" \"$spool/$o\"");
        assertThat(script).doesNotContainIgnoringCase("bearer").doesNotContainIgnoringCase("authorization");
        // without maxParallel (or 1): one curl PUT per call, as before
        var one = ConfigRenderer.Archiving.of(io.pgpilot.model.ManifestValidator.parseAndValidate(
                java.nio.file.Files.readString(Path.of("../examples/postgres-cluster.yaml"))), "http://127.0.0.1:8084");
        assertThat(one.maxParallel()).isEqualTo(1);
        assertThat(ConfigRenderer.archiveCommand(one)).startsWith("curl -K ../backup-service.curl ");
        assertThatThrownBy(() -> WalArchiveScript.render(one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfigRenderer.Archiving("http://127.0.0.1:8084", "pc", 65))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void archivingNeedsABackupSpecAndASafeUrl() throws Exception {
        var withBackup = io.pgpilot.model.ManifestValidator.parseAndValidate(
                java.nio.file.Files.readString(Path.of("../examples/postgres-cluster.yaml")));
        var without = io.pgpilot.model.ManifestValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: pc}
                spec: {instances: 1}
                """);
        assertThat(ConfigRenderer.Archiving.of(without, "http://127.0.0.1:8084")).isNull();
        assertThat(ConfigRenderer.Archiving.of(withBackup, "")).isNull();
        for (String bad : new String[] {"http://h:1/x; rm -rf /", "http://h'x", "file:///etc", "http://h:1/path", "http://a b"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigRenderer.Archiving.of(withBackup, bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hbaUsesScramForPeopleAndCertificatesForReplication() {
        assertThat(ConfigRenderer.hba()).contains("hostssl   replication  streaming_replica  127.0.0.1/32  cert")
                .contains("host      all          all                127.0.0.1/32  scram-sha-256")
                .doesNotContain("trust").doesNotContain("peer").doesNotContain("hostnossl");
    }

    @Test
    void passfileEscapesSeparators() {
        assertThat(ConfigRenderer.passfileLine("127.0.0.1", "streaming_replica", "a:b\\c"))
                .isEqualTo("127.0.0.1:*:*:streaming_replica:a\\:b\\\\c\n");
    }

}
