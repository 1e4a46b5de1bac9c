package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.initdb.InitDb;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.instance.sql.InstanceSql;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The instance manager's own classes against a real PostgreSQL, without the provisioner: initdb,
 * configuration, start, SQL, stop, pg_controldata, kill with crash leftovers, restart, removal.
 * The test plays the control plane's part for certificates with a self-signed one (openssl).
 */
class InstanceLifecycleIT {

    @TempDir
    Path tmp;

    PostgresHost host;
    InstanceDirectories directories;
    InstanceProcess process;
    InstanceLayout layout;
    Path ca;

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        host = new PostgresHost(PostgresBinaries.detect(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED), home);
        directories = new InstanceDirectories(host, ThreadLocalRandom.current().nextInt(20000, 40000));
        process = new InstanceProcess(host);
        layout = host.layout("im-test", 1);
        ca = selfSigned(tmp.resolve("certs"));
    }

    @AfterEach
    void tearDown() {
        process.kill(layout); // whatever a failed test left running
    }

    /** A server certificate for 127.0.0.1 that is its own CA (the control plane's part in production). */
    static Path selfSigned(Path dir) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "1",
                "-subj", "/CN=im-test-rw", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(output).isTrue();
        return dir.resolve("cert.pem");
    }

    private boolean writeCertificates(InstanceLayout layout) {
        try {
            Path dir = TlsFiles.ensureDirectory(layout.directory(), host.user());
            String cert = Files.readString(ca);
            boolean changed = TlsFiles.writeCa(dir, cert, host.user());
            TlsFiles.writePair(dir.resolve(TlsFiles.SERVER_KEY), Files.readString(ca.resolveSibling("key.pem")),
                    dir.resolve(TlsFiles.SERVER_CRT), cert, host.user());
            return changed;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void initdbStartQueryStopKillRestartRemove() throws Exception {
        Credentials superuser = new Credentials(Credentials.SUPERUSER, "s3cret-" + ThreadLocalRandom.current().nextInt(1_000_000));
        ConfigWriter config = new ConfigWriter(host, this::writeCertificates, cluster -> {
            throw new AssertionError("no archiving in this test");
        });
        int port = directories.prepare(layout).port();
        assertThat(directories.prepare(layout).port()).as("the port is assigned once").isEqualTo(port);
        assertThat(directories.clusters()).containsExactly("im-test");

        new InitDb(host, directories, config).initPrimary(layout, superuser);
        assertThat(Files.exists(layout.directory().resolve(".initdb.pw"))).as("pwfile removed").isFalse();
        config.writeConfig(layout, new ManagedSettings(layout.instance(), port, layout.socketDirectory(), layout.logDirectory(), "", null),
                Map.of("work_mem", "8MB"));
        assertThat(Files.getPosixFilePermissions(layout.tlsDirectory().resolve(TlsFiles.SERVER_KEY)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        process.start(layout);
        InstanceObserver observer = new InstanceObserver(host, directories);
        assertThat(observer.observe("im-test").get(1).running()).isTrue();
        assertThat(observer.observeMembers("im-test").get(1).standby()).isFalse();

        InstanceSql sql = new InstanceSql(() -> ca);
        InstanceSql.Role role = sql.role("127.0.0.1", port, superuser);
        assertThat(role.inRecovery()).isFalse();
        assertThat(role.timeline()).isEqualTo(1);
        assertThat(sql.pendingRestart("127.0.0.1", port, superuser)).isEmpty();

        process.stop(layout);
        assertThat(Postmaster.isRunning(layout)).isFalse();
        ControlData control = new ControlData(host);
        assertThat(control.timeline(layout)).isEqualTo(1);
        assertThat(control.latestCheckpointLsn(layout)).isPositive();

        process.start(layout);
        long pid = Postmaster.pid(layout);
        process.kill(layout); // fencing: SIGKILL of the postmaster and its children, leftovers cleared
        assertThat(Postmaster.alive(pid)).isFalse();
        assertThat(Files.exists(layout.pgdata().resolve("postmaster.pid"))).isFalse();
        process.start(layout); // crash recovery
        assertThat(sql.role("127.0.0.1", port, superuser).inRecovery()).isFalse();
        assertThat(process.stopOrKill(layout, Duration.ofSeconds(30))).as("clean shutdown").isTrue();

        process.remove(layout);
        assertThat(Files.exists(layout.directory())).isFalse();
        assertThat(directories.ordinals("im-test")).isEqualTo(List.of());
    }
}
