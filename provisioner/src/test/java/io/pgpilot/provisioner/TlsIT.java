package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.provisioner.tls.CertificateIssuer;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import io.pgpilot.provisioner.tls.Pem;
import io.pgpilot.provisioner.tls.RenewalPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS against real PostgreSQL 15: certificate-only replication (and its refusal with a
 * certificate from another CA), verify-full with the published CA directly on every instance,
 * requireTls refusing plain text, and renewal by reload while writes continue.
 */
class TlsIT {

    static final String CLUSTER = "tls-pc";

    @TempDir
    Path tmp;

    Path home;
    LocalProcessBackend postgres;
    SecretStore secrets;
    ClusterReconciler reconciler;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = tmp.resolve("home");
        Files.createDirectories(home);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        postgres = new LocalProcessBackend(PostgresBinaries.detect(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED), home,
                ThreadLocalRandom.current().nextInt(20000, 40000), RenewalPolicy.DEFAULT, clock, null);
        secrets = new SecretStore(home);
        reconciler = new ClusterReconciler(postgres, secrets, new RecordingPublisher());
    }

    @AfterEach
    void tearDown() {
        reconciler.close();
    }

    static ClusterDefinition manifest(boolean requireTls) {
        return ManifestValidator.parseAndValidate("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: " + CLUSTER
                + "\nspec:\n  instances: 2\n  certificates:\n    requireTls: " + requireTls + "\n");
    }

    @Test
    void replicationUsesTheClientCertificateAndClientsVerifyTheServer() throws Exception {
        reconciler.reconcile(manifest(false));
        int primary = port(1);
        int replica = port(2);

        // TLS 1.3 only, the server certificate verified (verify-full) on every instance, by IP and by name
        for (int port : List.of(primary, replica)) {
            for (String host : List.of("127.0.0.1", "localhost")) {
                try (Connection c = app(host, port, "verify-full")) {
                    assertThat(one(c, "SELECT ssl::text || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                            .isEqualTo("true TLSv1.3");
                }
            }
            assertThat(superuserOne(port, "SHOW ssl_min_protocol_version")).isEqualTo("TLSv1.3");
            assertThat(superuserOne(port, "SHOW ssl")).isEqualTo("on");
            assertThatThrownBy(() -> handshake(port, "TLSv1.2")).as("TLS 1.2 refused").isInstanceOf(Exception.class);
        }
        // through HAProxy in TCP mode (as the services render it): TLS passes through, verify-full holds
        verifyFullThroughHaproxy(primary, replica);
        // the server certificate: ECDSA, signed by the published CA, SANs for every endpoint form
        X509Certificate served = handshake(primary, "TLSv1.3");
        X509Certificate ca = Pem.readCertificate(Files.readString(secrets.caFile(CLUSTER)));
        served.verify(ca.getPublicKey());
        assertThat(served.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(InstanceCertificates.sanKeys(served)).contains("ip:127.0.0.1", "dns:localhost", "dns:tls-pc-rw",
                "dns:tls-pc-ro.default.svc", "dns:tls-pc-r.default", "dns:tls-pc-1");
        // plain text stays allowed for applications by default (as CloudNativePG)
        try (Connection c = app("127.0.0.1", primary, "disable")) {
            assertThat(one(c, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("false");
        }
        // secrets: CA key and published CA 0600, instance keys 0600 and outside pgdata
        for (Path file : List.of(home.resolve("secrets/pgpilot-ca.key"), secrets.caFile(CLUSTER),
                postgres.layout(CLUSTER, 1).tlsDirectory().resolve("server.key"),
                postgres.layout(CLUSTER, 2).tlsDirectory().resolve("replication.key"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------");
        }

        // replication authenticated by the client certificate (CN streaming_replica) over TLS
        awaitCertificateReplication(primary);
        try (Connection c = app("127.0.0.1", primary, "verify-full"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            st.execute("INSERT INTO t VALUES (1)");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = app("127.0.0.1", replica, "verify-full")) {
                return one(c, "SELECT count(*) FROM t").equals("1");
            }
        });

        // a certificate from another CA: the primary refuses it, replication stops
        InstanceLayout replicaLayout = postgres.layout(CLUSTER, 2);
        Instant t = Instant.now();
        CertificateIssuer.Issued intruderCa = CertificateIssuer.newCa("intruder", t.minusSeconds(60), t.plus(Duration.ofDays(1)));
        CertificateIssuer.Issued wrong = CertificateIssuer.issue(intruderCa, "streaming_replica", null, CertificateIssuer.Usage.CLIENT,
                t.minusSeconds(60), t.plus(Duration.ofDays(1)));
        Files2.writePrivate(replicaLayout.tlsDirectory().resolve("replication.key"), Pem.privateKey(wrong.key()), postgres.user());
        Files2.writePrivate(replicaLayout.tlsDirectory().resolve("replication.crt"), Pem.certificate(wrong.certificate()), postgres.user());
        long refusalsBefore = logLines(postgres.layout(CLUSTER, 1), "certificate verify failed");
        superuserExec(primary, "SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
        await().atMost(Duration.ofSeconds(60)).until(() -> logLines(postgres.layout(CLUSTER, 1), "certificate verify failed") > refusalsBefore);
        assertThat(count(primary, "SELECT count(*) FROM pg_stat_replication")).isZero();
        assertThat(logLines(replicaLayout, "could not connect to the primary server")).isPositive();

        // the next certificate pass replaces the foreign certificate: replication resumes
        assertThat(postgres.ensureCertificates(replicaLayout).renewed()).containsExactly("replication.crt");
        awaitCertificateReplication(primary);

        // requireTls: plain text refused for applications, TLS still accepted, replication unaffected
        reconciler.reconcile(manifest(true));
        assertThatThrownBy(() -> app("127.0.0.1", primary, "disable").close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("no encryption");
        try (Connection c = app("127.0.0.1", primary, "verify-full")) {
            assertThat(one(c, "SELECT count(*) FROM t")).isEqualTo("1");
        }
        awaitCertificateReplication(primary);
    }

    @Test
    void certificatesAreRenewedByReloadWhileWritesContinue() throws Exception {
        // the injected clock starts 84 days in the past: the first certificates are 6 days from expiry now
        Instant realNow = Instant.now();
        now.set(realNow.minus(Duration.ofDays(84)));
        reconciler.reconcile(manifest(false));
        int primary = port(1);
        awaitCertificateReplication(primary);
        X509Certificate before = handshake(primary, "TLSv1.3");
        String postmasterStart = superuserOne(primary, "SELECT pg_postmaster_start_time()::text");
        try (Connection c = app("127.0.0.1", primary, "verify-full"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE w (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (Connection c = app("127.0.0.1", primary, "verify-full"); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute("INSERT INTO w DEFAULT VALUES");
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                errors.add(e.getMessage());
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 20);
            CertificateRenewal renewal = new CertificateRenewal(postgres);
            assertThat(renewal.renewDue()).as("nothing due yet").isEmpty();
            now.set(realNow.minus(Duration.ofDays(1)).minusSeconds(60)); // renewal window opens at realNow - 1 day
            assertThat(renewal.renewDue()).as("nothing due a minute before the renewal window").isEmpty();

            now.set(realNow); // 6 days before the 90-day certificates expire
            List<CertificateRenewal.Renewed> renewed = renewal.renewDue();
            assertThat(renewed).extracting(CertificateRenewal.Renewed::instance).containsExactlyInAnyOrder("tls-pc-1", "tls-pc-2");
            assertThat(renewed).allSatisfy(r -> {
                assertThat(r.reloaded()).isTrue();
                assertThat(r.files()).containsExactlyInAnyOrder("server.crt", "replication.crt");
            });
            assertThat(renewal.renewDue()).as("renewed once").isEmpty();

            // the new certificate is served (after the reload), the old session kept writing
            await().atMost(Duration.ofSeconds(30)).until(() -> !handshake(primary, "TLSv1.3").getSerialNumber().equals(before.getSerialNumber()));
            X509Certificate after = handshake(primary, "TLSv1.3");
            assertThat(after.getNotAfter()).isAfter(before.getNotAfter());
            long mark = written.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > mark + 20);
            assertThat(errors).isEmpty();
            try (Connection c = app("127.0.0.1", port(2), "verify-full")) {
                assertThat(one(c, "SELECT 1")).isEqualTo("1");
            }
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        assertThat(errors).isEmpty();
        assertThat(superuserOne(primary, "SELECT pg_postmaster_start_time()::text")).as("no restart").isEqualTo(postmasterStart);
        // replication reconnects with the renewed client certificate
        superuserExec(primary, "SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
        awaitCertificateReplication(primary);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A real HAProxy with TCP-mode rw and ro frontends (pgpilot's endpoint layout) in front of the two instances. */
    void verifyFullThroughHaproxy(int primary, int replica) throws Exception {
        int rw = io.pgpilot.launcher.FreePorts.next();
        int ro = io.pgpilot.launcher.FreePorts.next();
        Path config = tmp.resolve("haproxy.cfg");
        Files.writeString(config, String.join("\n", "global", "    maxconn 100", "defaults", "    mode tcp",
                "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s",
                "frontend " + CLUSTER + "-rw", "    bind 127.0.0.1:" + rw, "    default_backend rw",
                "backend rw", "    server " + CLUSTER + "-1 127.0.0.1:" + primary + " check inter 1s",
                "frontend " + CLUSTER + "-ro", "    bind 127.0.0.1:" + ro, "    default_backend ro",
                "backend ro", "    server " + CLUSTER + "-2 127.0.0.1:" + replica + " check inter 1s", ""));
        Process haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("haproxy.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> io.pgpilot.launcher.FreePorts.isListening(rw)
                    && io.pgpilot.launcher.FreePorts.isListening(ro));
            for (String host : List.of("127.0.0.1", "localhost")) {
                try (Connection c = app(host, rw, "verify-full")) {
                    assertThat(one(c, "SELECT ssl::text || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                            .isEqualTo("true TLSv1.3");
                    assertThat(one(c, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
                }
                try (Connection c = app(host, ro, "verify-full")) {
                    assertThat(one(c, "SELECT ssl::text || ' ' || pg_is_in_recovery()::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                            .isEqualTo("true true");
                }
            }
        } finally {
            haproxy.destroy();
            haproxy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            if (haproxy.isAlive()) {
                haproxy.destroyForcibly();
            }
        }
    }

    int port(int ordinal) {
        return postgres.readMetadata(postgres.layout(CLUSTER, ordinal)).port();
    }

    Connection app(String host, int port, String sslmode) throws SQLException {
        Credentials app = secrets.app(CLUSTER, "app");
        Properties props = new Properties();
        props.setProperty("user", app.username());
        props.setProperty("password", app.password());
        props.setProperty("sslmode", sslmode);
        props.setProperty("sslrootcert", secrets.caFile(CLUSTER).toString());
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/app", props);
    }

    Connection superuser(int port) throws SQLException {
        return postgres.connect(new InstanceEndpoint("127.0.0.1", port), "postgres", secrets.superuser(CLUSTER));
    }

    void superuserExec(int port, String sql) throws SQLException {
        try (Connection c = superuser(port); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    long count(int port, String sql) throws SQLException {
        return Long.parseLong(superuserOne(port, sql));
    }

    String superuserOne(int port, String sql) throws SQLException {
        try (Connection c = superuser(port)) {
            return one(c, sql);
        }
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    void awaitCertificateReplication(int primary) {
        await().atMost(Duration.ofSeconds(60)).until(() -> count(primary, "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s "
                + "USING (pid) WHERE r.usename = 'streaming_replica' AND r.state = 'streaming' AND s.ssl AND s.version = 'TLSv1.3' "
                + "AND s.client_dn LIKE '%CN=streaming_replica%'") == 1);
    }

    static long logLines(InstanceLayout layout, String text) throws Exception {
        try (Stream<Path> files = Files.list(layout.logDirectory())) {
            long n = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                n += Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(text)).count();
            }
            return n;
        }
    }

    /** The certificate the server presents (PostgreSQL's SSLRequest, then a handshake trusting only the platform CA). */
    X509Certificate handshake(int port, String protocol) throws Exception {
        X509Certificate ca = postgres.certificates().authority().certificate();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (Socket raw = new Socket("127.0.0.1", port)) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877103);
            out.flush();
            assertThat(raw.getInputStream().read()).isEqualTo('S');
            try (SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(raw, "127.0.0.1", port, false)) {
                ssl.setEnabledProtocols(new String[] {protocol});
                ssl.startHandshake();
                return (X509Certificate) ssl.getSession().getPeerCertificates()[0];
            }
        }
    }


}
