package io.pgpilot.provisioner.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * When a leaf certificate is (re)issued: CloudNativePG's 90-day certificates renewed 7 days
 * before they expire, by default. Pure.
 */
public record RenewalPolicy(Duration validity, Duration renewBefore) {

    public static final RenewalPolicy DEFAULT = new RenewalPolicy(Duration.ofDays(90), Duration.ofDays(7));
    /** Issued certificates start this much in the past, for clocks slightly behind. */
    public static final Duration BACKDATE = Duration.ofMinutes(5);

    public RenewalPolicy {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("certificate validity must be positive");
        }
        if (renewBefore == null || renewBefore.isNegative() || renewBefore.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("renew-before must be at least 0 and shorter than the validity (" + validity + ")");
        }
    }

    /** What is known about a certificate on disk. */
    public record Facts(Instant notBefore, Instant notAfter, Set<String> sanKeys, boolean signedByCurrentCa, boolean keyMatches) {
    }

    public sealed interface Decision {
        /** Valid and current; look again at {@code renewAt}. */
        record Keep(Instant renewAt) implements Decision {
        }

        record Issue(String reason) implements Decision {
        }
    }

    /**
     * @param existing  null when there is no (readable) certificate
     * @param wantedSans null for a client certificate (no SANs compared)
     */
    public Decision decide(Facts existing, Set<String> wantedSans, Instant now) {
        if (existing == null) {
            return new Decision.Issue("no certificate yet");
        }
        if (!existing.signedByCurrentCa()) {
            return new Decision.Issue("issued by another CA");
        }
        if (!existing.keyMatches()) {
            return new Decision.Issue("the private key does not match the certificate");
        }
        if (wantedSans != null && !wantedSans.equals(existing.sanKeys())) {
            return new Decision.Issue("subject alternative names changed");
        }
        if (now.isBefore(existing.notBefore())) {
            return new Decision.Issue("not valid yet (clock went back?)");
        }
        Instant renewAt = existing.notAfter().minus(renewBefore);
        if (!now.isBefore(renewAt)) {
            return new Decision.Issue("expires at " + existing.notAfter() + " (renewed " + renewBefore.toDays() + " days before)");
        }
        return new Decision.Keep(renewAt);
    }

    public Instant notBefore(Instant now) {
        return now.minus(BACKDATE);
    }

    public Instant notAfter(Instant now) {
        return now.plus(validity);
    }
}
