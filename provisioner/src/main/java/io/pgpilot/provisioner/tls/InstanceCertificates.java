package io.pgpilot.provisioner.tls;

import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.instance.node.CertificateBundle;
import io.pgpilot.local.OsUser;
import io.pgpilot.provisioner.tls.CertificateIssuer.Issued;
import io.pgpilot.provisioner.tls.CertificateIssuer.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Issues the certificates of one instance (control-plane side: the CA key stays here) and has them
 * written into the instance's {@link TlsFiles}: the server certificate and key, the CA certificate
 * (to verify client certificates and the upstream), and the streaming_replica client certificate
 * and key. Each is (re)issued when {@link RenewalPolicy} says so; nothing is written otherwise.
 */
public final class InstanceCertificates {

    public static final String REPLICATION_USER = "streaming_replica";
    private static final Logger log = LoggerFactory.getLogger(InstanceCertificates.class);

    private final Supplier<CertificateAuthority> ca;
    private final RenewalPolicy policy;
    private final Clock clock;
    private final OsUser owner;

    public InstanceCertificates(Supplier<CertificateAuthority> ca, RenewalPolicy policy, Clock clock, OsUser owner) {
        this.ca = ca;
        this.policy = policy;
        this.clock = clock;
        this.owner = owner;
    }

    public CertificateAuthority authority() {
        return ca.get();
    }

    public RenewalPolicy policy() {
        return policy;
    }

    /** What {@link #ensure} did: the files it rewrote and why; empty when all were current. */
    public record Outcome(List<String> renewed) {
        public boolean changed() {
            return !renewed.isEmpty();
        }
    }

    /** Issues what is missing, expiring, from another CA or with other SANs; idempotent. */
    public synchronized Outcome ensure(String cluster, String instance, Path instanceDirectory, SubjectAltNames sans) {
        Path dir = TlsFiles.ensureDirectory(instanceDirectory, owner);
        CertificateAuthority authority = ca.get();
        Instant now = clock.instant();
        List<String> renewed = new ArrayList<>();
        if (TlsFiles.writeCa(dir, authority.certificatePem(), owner)) {
            renewed.add(TlsFiles.CA_CRT);
        }
        leaf(authority, dir.resolve(TlsFiles.SERVER_CRT), dir.resolve(TlsFiles.SERVER_KEY), cluster + "-rw", sans, Usage.SERVER, now, renewed,
                cluster, instance);
        leaf(authority, dir.resolve(TlsFiles.CLIENT_CRT), dir.resolve(TlsFiles.CLIENT_KEY), REPLICATION_USER, null, Usage.CLIENT, now, renewed,
                cluster, instance);
        return new Outcome(List.copyOf(renewed));
    }

    /**
     * The TLS material of an instance on another host, when it is due: decided from the server
     * certificate the node reports ({@code currentServerPem}, null: none), the client pair renewed
     * with it. Empty when the current one stays (same CA, same SANs, not expiring).
     */
    public synchronized java.util.Optional<CertificateBundle> bundleIfDue(String cluster, String instance, String currentServerPem,
                                                                          SubjectAltNames sans) {
        CertificateAuthority authority = ca.get();
        Instant now = clock.instant();
        RenewalPolicy.Facts facts = null;
        if (currentServerPem != null) {
            try {
                X509Certificate certificate = Pem.readCertificate(currentServerPem);
                facts = new RenewalPolicy.Facts(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
                        sanKeys(certificate), authority.signed(certificate), true); // the key stays on the node: its pair is installed as one
            } catch (TlsException e) {
                facts = null;
            }
        }
        if (!(policy.decide(facts, sans.keys(), now) instanceof RenewalPolicy.Decision.Issue issue)) {
            return java.util.Optional.empty();
        }
        Issued server = CertificateIssuer.issue(authority.issuer(), cluster + "-rw", sans, Usage.SERVER, policy.notBefore(now), policy.notAfter(now));
        Issued client = CertificateIssuer.issue(authority.issuer(), REPLICATION_USER, null, Usage.CLIENT, policy.notBefore(now), policy.notAfter(now));
        log.info("cluster={} instance={} certificates issued for its node ({}), valid until {}", cluster, instance, issue.reason(),
                server.certificate().getNotAfter().toInstant());
        return java.util.Optional.of(new CertificateBundle(authority.certificatePem(), Pem.privateKey(server.key()), Pem.certificate(server.certificate()),
                Pem.privateKey(client.key()), Pem.certificate(client.certificate())));
    }

    private void leaf(CertificateAuthority authority, Path certFile, Path keyFile, String commonName, SubjectAltNames sans,
                      Usage usage, Instant now, List<String> renewed, String cluster, String instance) {
        RenewalPolicy.Decision decision = policy.decide(facts(authority, certFile, keyFile), sans == null ? null : sans.keys(), now);
        if (decision instanceof RenewalPolicy.Decision.Issue issue) {
            Issued issued = CertificateIssuer.issue(authority.issuer(), commonName, sans, usage, policy.notBefore(now), policy.notAfter(now));
            TlsFiles.writePair(keyFile, Pem.privateKey(issued.key()), certFile, Pem.certificate(issued.certificate()), owner);
            renewed.add(certFile.getFileName().toString());
            log.info("cluster={} instance={} certificate {} issued ({}), valid until {}", cluster, instance, certFile.getFileName(),
                    issue.reason(), issued.certificate().getNotAfter().toInstant());
        }
    }

    /** The facts of a certificate on disk; null when missing or unreadable. */
    static RenewalPolicy.Facts facts(CertificateAuthority authority, Path certFile, Path keyFile) {
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            return null;
        }
        try {
            X509Certificate certificate = Pem.readCertificate(Files.readString(certFile));
            boolean keyMatches = CertificateAuthority.matches(certificate, Pem.readPrivateKey(Files.readString(keyFile)));
            return new RenewalPolicy.Facts(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
                    sanKeys(certificate), authority.signed(certificate), keyMatches);
        } catch (IOException | TlsException e) {
            return null;
        }
    }

    public static Set<String> sanKeys(X509Certificate certificate) {
        Set<String> keys = new TreeSet<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    int type = (Integer) name.get(0);
                    if (type == 2) {
                        keys.add("dns:" + String.valueOf(name.get(1)).toLowerCase(java.util.Locale.ROOT));
                    } else if (type == 7) {
                        keys.add("ip:" + SubjectAltNames.normalizeIp(String.valueOf(name.get(1))));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return Set.of();
        }
        return keys;
    }
}
