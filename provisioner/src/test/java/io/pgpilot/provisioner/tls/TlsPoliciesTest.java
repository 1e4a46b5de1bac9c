package io.pgpilot.provisioner.tls;

import io.pgpilot.provisioner.tls.CertificateIssuer.Issued;
import io.pgpilot.provisioner.tls.RenewalPolicy.Decision;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts: SAN lists, renewal decisions, rendered settings and rules; one real issuance round trip. */
class TlsPoliciesTest {

    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void sansCoverLoopbackTheInstanceAndEveryEndpointForm() {
        SubjectAltNames sans = SubjectAltNames.forInstance("pc", "pc-2", "127.0.0.1", null, List.of("db.example.org"));
        assertThat(sans.ips()).containsExactly("127.0.0.1", "::1");
        assertThat(sans.dns()).contains("localhost", "pc-2", "db.example.org",
                "pc-rw", "pc-rw.default", "pc-rw.default.svc", "pc-ro", "pc-ro.default.svc", "pc-r", "pc-r.default.svc");
        SubjectAltNames other = SubjectAltNames.forInstance("pc", "pc-2", "db-host.lan", "prod", List.of());
        assertThat(other.dns()).contains("db-host.lan", "pc-rw.prod.svc").doesNotContain("pc-rw.default");
        assertThat(sans.keys()).contains("ip:0:0:0:0:0:0:0:1", "dns:pc-rw.default.svc");
        assertThatThrownBy(() -> SubjectAltNames.forInstance("../x", "pc-2", "127.0.0.1", null, List.of()))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void renewalFollowsValidityWindowCaAndSans() {
        RenewalPolicy policy = RenewalPolicy.DEFAULT;
        Set<String> sans = Set.of("dns:a");
        Instant notAfter = NOW.plus(Duration.ofDays(90));
        var current = new RenewalPolicy.Facts(NOW, notAfter, sans, true, true);

        assertThat(policy.decide(null, sans, NOW)).isInstanceOf(Decision.Issue.class);
        assertThat(policy.decide(current, sans, NOW.plus(Duration.ofDays(10))))
                .isEqualTo(new Decision.Keep(notAfter.minus(Duration.ofDays(7))));
        assertThat(policy.decide(current, sans, notAfter.minus(Duration.ofDays(7)))).isInstanceOf(Decision.Issue.class);
        assertThat(policy.decide(current, sans, notAfter.minus(Duration.ofDays(8)))).isInstanceOf(Decision.Keep.class);
        assertThat(policy.decide(current, sans, notAfter.plusSeconds(1))).isInstanceOf(Decision.Issue.class);
        assertThat(policy.decide(current, Set.of("dns:a", "dns:b"), NOW)).isEqualTo(new Decision.Issue("subject alternative names changed"));
        assertThat(policy.decide(current, null, NOW)).isInstanceOf(Decision.Keep.class); // client certificates: SANs not compared
        assertThat(policy.decide(new RenewalPolicy.Facts(NOW, notAfter, sans, false, true), sans, NOW))
                .isEqualTo(new Decision.Issue("issued by another CA"));
        assertThat(policy.decide(new RenewalPolicy.Facts(NOW, notAfter, sans, true, false), sans, NOW)).isInstanceOf(Decision.Issue.class);
        assertThat(policy.decide(current, sans, NOW.minusSeconds(3600))).isInstanceOf(Decision.Issue.class);
        assertThat(policy.notAfter(NOW)).isEqualTo(notAfter);
    }

    @Test
    void renewalPolicyRefusesNonsense() {
        assertThatThrownBy(() -> new RenewalPolicy(Duration.ofDays(7), Duration.ofDays(7))).hasMessageContaining("shorter than the validity");
        assertThatThrownBy(() -> new RenewalPolicy(Duration.ZERO, Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new RenewalPolicy(Duration.ofDays(1), Duration.ofDays(-1))).hasMessageContaining("at least 0");
    }


    @Test
    void issuedCertificatesChainToTheCaAndCarryTheSans() throws Exception {
        Issued ca = CertificateIssuer.newCa("test-ca", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        Issued other = CertificateIssuer.newCa("other-ca", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        SubjectAltNames sans = SubjectAltNames.forInstance("pc", "pc-1", "127.0.0.1", null, List.of());
        Issued server = CertificateIssuer.issue(ca, "pc-rw", sans, CertificateIssuer.Usage.SERVER, NOW, NOW.plus(Duration.ofDays(90)));
        server.certificate().verify(ca.certificate().getPublicKey());
        assertThatThrownBy(() -> server.certificate().verify(other.certificate().getPublicKey())).isInstanceOf(Exception.class);
        assertThat(server.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(InstanceCertificates.sanKeys(server.certificate())).isEqualTo(sans.keys());
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
        // PEM round trip, key matching
        var pemCert = Pem.readCertificate(Pem.certificate(server.certificate()));
        var pemKey = Pem.readPrivateKey(Pem.privateKey(server.key()));
        assertThat(pemCert).isEqualTo(server.certificate());
        assertThat(CertificateAuthority.matches(pemCert, pemKey)).isTrue();
        assertThat(CertificateAuthority.matches(pemCert, ca.key())).isFalse();
        assertThat(Pem.privateKey(server.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(server.toString()).doesNotContain(server.key().toString());
    }
}
