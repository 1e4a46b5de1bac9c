package io.pgpilot.instance.configuration;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS settings and pg_hba.conf rules an instance gets. */
class TlsConfigTest {
    @Test
    void settingsAndRules() {
        assertThat(TlsConfig.settings(Path.of("/h/pc-1/tls"))).contains("ssl = on\n", "ssl_cert_file = '/h/pc-1/tls/server.crt'\n",
                "ssl_key_file = '/h/pc-1/tls/server.key'\n", "ssl_ca_file = '/h/pc-1/tls/ca.crt'\n", "ssl_min_protocol_version = 'TLSv1.3'\n");
        String allowed = TlsConfig.hba(false);
        String required = TlsConfig.hba(true);
        assertThat(allowed).doesNotContain("hostnossl");
        assertThat(required).contains("hostnossl all          all                all           reject");
        for (String hba : List.of(allowed, required)) {
            List<String> lines = hba.lines().filter(l -> !l.startsWith("#")).toList();
            // certificate replication first, any other replication refused, password last
            assertThat(lines.get(1)).isEqualTo("hostssl   replication  streaming_replica  127.0.0.1/32  cert");
            assertThat(lines.get(2)).startsWith("host      replication  all").endsWith("reject");
            assertThat(lines.getLast()).endsWith("scram-sha-256");
            assertThat(hba).doesNotContain("trust").doesNotContain("md5");
        }
        assertThat(TlsConfig.replicationConninfo(Path.of("/h/it's"))).startsWith("sslmode=verify-ca sslrootcert='/h/it\\'s/ca.crt'");
    }

    @Test
    void aNodeAcceptsOtherHostsOverTlsOnly() {
        String hba = TlsConfig.hba(false, true);
        assertThat(hba).contains("hostssl   replication  streaming_replica  all           cert\n",
                "host      all          all                127.0.0.1/32  scram-sha-256\n",
                "hostssl   all          all                all           scram-sha-256\n");
        assertThat(hba.lines().filter(l -> l.startsWith("host ") && l.contains(" all ") && !l.contains("reject")).toList())
                .as("plain text only from loopback").allMatch(l -> l.contains("127.0.0.1/32"));
        assertThat(TlsConfig.hba(true, false)).isEqualTo(TlsConfig.hba(true));
    }

    @Test
    void listenAddresses() {
        assertThat(ConfigRenderer.listenAddresses("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(ConfigRenderer.listenAddresses(null)).isEqualTo("127.0.0.1");
        assertThat(ConfigRenderer.listenAddresses("10.77.0.11")).isEqualTo("127.0.0.1,10.77.0.11");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigRenderer.listenAddresses("1.2.3.4'; x"))
                .isInstanceOf(IllegalArgumentException.class);
        var settings = new ConfigRenderer.ManagedSettings("c-1", 5432, Path.of("/s"), Path.of("/l"), "", null);
        assertThat(ConfigRenderer.managed(settings)).contains("listen_addresses = '127.0.0.1'\n");
        assertThat(ConfigRenderer.managed(settings, "10.77.0.11")).contains("listen_addresses = '127.0.0.1,10.77.0.11'\n");
    }
}
