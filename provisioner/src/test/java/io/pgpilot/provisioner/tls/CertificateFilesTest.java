package io.pgpilot.provisioner.tls;

import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.local.OsUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CA and instance files on a temporary disk: modes, reuse, renewal decisions applied, user-supplied CA checks. */
class CertificateFilesTest {

    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void caIsCreatedOncePrivateAndReused() throws Exception {
        Path secrets = tmp.resolve("secrets");
        CertificateAuthority first = CertificateAuthority.loadOrCreate(secrets, Clock.fixed(NOW, ZoneOffset.UTC));
        CertificateAuthority again = CertificateAuthority.loadOrCreate(secrets, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(mode(secrets)).isEqualTo("rwx------");
        assertThat(mode(secrets.resolve(CertificateAuthority.KEY_FILE))).isEqualTo("rw-------");
        assertThat(Files.readString(secrets.resolve(CertificateAuthority.KEY_FILE))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void suppliedCaMustBeACaWithItsOwnKey() throws Exception {
        CertificateIssuer.Issued ca = CertificateIssuer.newCa("user-ca", NOW, NOW.plus(Duration.ofDays(10)));
        CertificateIssuer.Issued other = CertificateIssuer.newCa("other", NOW, NOW.plus(Duration.ofDays(10)));
        CertificateIssuer.Issued leaf = CertificateIssuer.issue(ca, "x", null, CertificateIssuer.Usage.CLIENT, NOW, NOW.plus(Duration.ofDays(1)));
        Path cert = write("ca.crt", Pem.certificate(ca.certificate()));
        assertThat(CertificateAuthority.supplied(cert, write("ca.key", Pem.privateKey(ca.key()))).certificate()).isEqualTo(ca.certificate());
        assertThatThrownBy(() -> CertificateAuthority.supplied(cert, write("other.key", Pem.privateKey(other.key()))))
                .isInstanceOf(TlsException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> CertificateAuthority.supplied(write("leaf.crt", Pem.certificate(leaf.certificate())),
                write("leaf.key", Pem.privateKey(leaf.key())))).isInstanceOf(TlsException.class).hasMessageContaining("not a CA");
        assertThatThrownBy(() -> CertificateAuthority.supplied(write("junk.crt", "junk"), write("junk.key", "junk")))
                .isInstanceOf(TlsException.class);
    }

    @Test
    void instanceFilesAreIssuedOnceAndRenewedInTheWindow() throws Exception {
        Instant[] now = {NOW};
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("secrets"), clock);
        InstanceCertificates certificates = new InstanceCertificates(() -> ca, RenewalPolicy.DEFAULT, clock,
                new OsUser(System.getProperty("user.name"), false));
        Path instance = tmp.resolve("pc-1");
        SubjectAltNames sans = SubjectAltNames.forInstance("pc", "pc-1", "127.0.0.1", null, List.of());

        assertThat(certificates.ensure("pc", "pc-1", instance, sans).renewed()).containsExactly("ca.crt", "server.crt", "replication.crt");
        assertThat(certificates.ensure("pc", "pc-1", instance, sans).changed()).isFalse();
        Path dir = TlsFiles.directory(instance);
        for (String f : List.of("server.key", "replication.key", "server.crt")) {
            assertThat(mode(dir.resolve(f))).isEqualTo("rw-------");
        }
        var client = Pem.readCertificate(Files.readString(dir.resolve("replication.crt")));
        assertThat(client.getSubjectX500Principal().getName()).contains("CN=streaming_replica");

        now[0] = NOW.plus(Duration.ofDays(82));
        assertThat(certificates.ensure("pc", "pc-1", instance, sans).changed()).as("8 days left").isFalse();
        now[0] = NOW.plus(Duration.ofDays(84));
        assertThat(certificates.ensure("pc", "pc-1", instance, sans).renewed()).containsExactly("server.crt", "replication.crt");

        SubjectAltNames more = SubjectAltNames.forInstance("pc", "pc-1", "127.0.0.1", null, List.of("db.example.org"));
        assertThat(certificates.ensure("pc", "pc-1", instance, more).renewed()).containsExactly("server.crt");
        Files2.writePrivate(dir.resolve("server.crt"), "garbage", null);
        assertThat(certificates.ensure("pc", "pc-1", instance, more).renewed()).containsExactly("server.crt");
    }

    Path write(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
