package io.pgpilot.provisioner.tls;

import io.pgpilot.instance.layout.Files2;
import io.pgpilot.provisioner.tls.CertificateIssuer.Issued;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The platform's CA. By default pgpilot's own, created at first use under
 * {@code <home>/secrets/pgpilot-ca.crt} and {@code pgpilot-ca.key} (directory 700, key 600) and
 * kept; or a user-supplied one ({@link #supplied}: a CA certificate and its unencrypted key in
 * PEM, as CloudNativePG's {@code spec.certificates.serverCASecret}), checked before use.
 */
public final class CertificateAuthority {

    public static final String CERT_FILE = "pgpilot-ca.crt";
    public static final String KEY_FILE = "pgpilot-ca.key";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);

    private final Issued ca;
    private final Path certificateFile;

    private CertificateAuthority(Issued ca, Path certificateFile) {
        this.ca = ca;
        this.certificateFile = certificateFile;
    }

    /** pgpilot's own CA under {@code secretsDirectory}, loaded or created at first use (then kept). */
    public static java.util.function.Supplier<CertificateAuthority> atFirstUse(Path secretsDirectory, Clock clock) {
        return new java.util.function.Supplier<>() {
            private CertificateAuthority value;

            @Override
            public synchronized CertificateAuthority get() {
                if (value == null) {
                    value = loadOrCreate(secretsDirectory, clock);
                }
                return value;
            }
        };
    }

    public static CertificateAuthority loadOrCreate(Path secretsDirectory, Clock clock) {
        Path cert = secretsDirectory.resolve(CERT_FILE);
        Path key = secretsDirectory.resolve(KEY_FILE);
        try {
            if (Files.exists(cert) && Files.exists(key)) {
                return supplied(cert, key);
            }
            if (!Files.exists(secretsDirectory)) {
                Files.createDirectories(secretsDirectory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(secretsDirectory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new TlsException("cannot prepare " + secretsDirectory, e);
        }
        Instant now = clock.instant();
        Issued created = CertificateIssuer.newCa("pgpilot-ca", now.minus(RenewalPolicy.BACKDATE), now.plus(CA_VALIDITY));
        Files2.writePrivate(key, Pem.privateKey(created.key()), null);
        Files2.writePrivate(cert, Pem.certificate(created.certificate()), null);
        return new CertificateAuthority(created, cert);
    }

    /** A user-supplied CA: must be a CA certificate whose public key matches the private key. */
    public static CertificateAuthority supplied(Path certificateFile, Path keyFile) {
        X509Certificate certificate;
        PrivateKey key;
        try {
            certificate = Pem.readCertificate(Files.readString(certificateFile));
            key = Pem.readPrivateKey(Files.readString(keyFile));
        } catch (IOException e) {
            throw new TlsException("cannot read the CA from " + certificateFile + " / " + keyFile, e);
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new TlsException(certificateFile + " is not a CA certificate (basicConstraints CA:false)");
        }
        if (!matches(certificate, key)) {
            throw new TlsException("the CA key " + keyFile + " does not belong to " + certificateFile);
        }
        return new CertificateAuthority(new Issued(certificate, key), certificateFile);
    }

    public Issued issuer() {
        return ca;
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    /** Where the CA certificate is (readable by the control plane: clients' sslrootcert). */
    public Path certificateFile() {
        return certificateFile;
    }

    public String certificatePem() {
        return Pem.certificate(ca.certificate());
    }

    public boolean signed(X509Certificate certificate) {
        try {
            certificate.verify(ca.certificate().getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether {@code key} is the private half of the certificate's public key (a signature round trip). */
    static boolean matches(X509Certificate certificate, PrivateKey key) {
        try {
            byte[] probe = "pgpilot".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
