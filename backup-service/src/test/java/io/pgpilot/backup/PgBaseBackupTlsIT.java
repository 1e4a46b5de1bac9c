package io.pgpilot.backup;

import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Base backups when replication accepts only client certificates (pgpilot's pg_hba.conf):
 * pg_basebackup authenticates with the source instance's streaming_replica certificate from its
 * TLS directory, and fails without it. Certificates made with the openssl command.
 */
class PgBaseBackupTlsIT {

    @TempDir
    Path tmp;

    @Test
    void baseBackupUsesTheInstanceClientCertificate() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
        Path tls = tmp.resolve("tls");
        Files.createDirectories(tls);
        openssl(tls, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
                "-out", "ca.crt", "-days", "2", "-subj", "/CN=it-ca");
        for (String[] leaf : List.of(new String[] {"server", "localhost"}, new String[] {"replication", "streaming_replica"})) {
            openssl(tls, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", leaf[0] + ".key",
                    "-out", leaf[0] + ".csr", "-subj", "/CN=" + leaf[1]);
            openssl(tls, "x509", "-req", "-in", leaf[0] + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", leaf[0] + ".crt", "-days", "2");
        }
        Path hba = tmp.resolve("hba.conf");
        Files.writeString(hba, "local all all trust\nhostssl replication streaming_replica 127.0.0.1/32 cert\n"
                + "host replication all all reject\nhost all all 127.0.0.1/32 trust\n");
        try (var files = Files.list(tls)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                user.chown(f);
            }
        }
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
        user.chown(tls);
        user.chown(hba);
        try (TestPostgres pg = TestPostgres.start(tmp.resolve("pg"), "pg", List.of("ssl = on",
                "ssl_cert_file = '" + tls.resolve("server.crt") + "'", "ssl_key_file = '" + tls.resolve("server.key") + "'",
                "ssl_ca_file = '" + tls.resolve("ca.crt") + "'", "ssl_min_protocol_version = 'TLSv1.3'", "hba_file = '" + hba + "'"))) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE streaming_replica WITH LOGIN REPLICATION");
            }
            PgBaseBackup basebackup = new PgBaseBackup(PostgresBinaries.detect(), user, tmp.resolve("work"));
            try (PgBaseBackup.Running run = basebackup.start(pg.port(), "streaming_replica", "not-used", "with-cert", tls)) {
                long bytes = run.tar().transferTo(OutputStream.nullOutputStream());
                run.await(Duration.ofMinutes(3));
                assertThat(bytes).isGreaterThan(1_000_000);
            }
            try (PgBaseBackup.Running run = basebackup.start(pg.port(), "streaming_replica", "not-used", "without-cert")) {
                run.tar().transferTo(OutputStream.nullOutputStream());
                assertThatThrownBy(() -> run.await(Duration.ofMinutes(3))).isInstanceOf(PgBaseBackup.BaseBackupException.class);
            }
        }
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
