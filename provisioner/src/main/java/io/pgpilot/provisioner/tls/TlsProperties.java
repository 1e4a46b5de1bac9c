package io.pgpilot.provisioner.tls;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code pgpilot.provisioner.tls.*}: certificate validity (default 90 days), how long before
 * expiry they are renewed (7 days), how often that is checked (1 hour), and an optional
 * user-supplied CA ({@code ca-cert-file} + {@code ca-key-file}, PEM; both or neither) instead of
 * pgpilot's own.
 */
@ConfigurationProperties(prefix = "pgpilot.provisioner.tls")
public record TlsProperties(Duration validity, Duration renewBefore, Duration checkInterval, String caCertFile, String caKeyFile) {

    public TlsProperties {
        validity = validity == null ? RenewalPolicy.DEFAULT.validity() : validity;
        renewBefore = renewBefore == null ? RenewalPolicy.DEFAULT.renewBefore() : renewBefore;
        checkInterval = checkInterval == null ? Duration.ofHours(1) : checkInterval;
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("pgpilot.provisioner.tls.check-interval must be positive");
        }
        boolean cert = caCertFile != null && !caCertFile.isBlank();
        boolean key = caKeyFile != null && !caKeyFile.isBlank();
        if (cert != key) {
            throw new IllegalArgumentException("pgpilot.provisioner.tls.ca-cert-file and ca-key-file go together");
        }
        renewal(validity, renewBefore);
    }

    private static RenewalPolicy renewal(Duration validity, Duration renewBefore) {
        try {
            return new RenewalPolicy(validity, renewBefore);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pgpilot.provisioner.tls: " + e.getMessage(), e);
        }
    }

    public RenewalPolicy renewal() {
        return renewal(validity, renewBefore);
    }

    /** Null: pgpilot's own CA. */
    public java.util.function.Supplier<CertificateAuthority> suppliedCa() {
        if (caCertFile == null || caCertFile.isBlank()) {
            return null;
        }
        CertificateAuthority ca = CertificateAuthority.supplied(Path.of(caCertFile), Path.of(caKeyFile));
        return () -> ca;
    }
}
