package io.pgpilot.instance.node;

/**
 * An instance's TLS material as the control plane issued it (the CA key never leaves the control
 * plane): the CA certificate, the server pair and the replication client pair, PEM. Carries private
 * keys: never logged, never put in an event or an error.
 */
public record CertificateBundle(String caCertificate, String serverKey, String serverCertificate,
                                String clientKey, String clientCertificate) {

    @Override
    public String toString() {
        return "CertificateBundle[keys redacted]";
    }
}
