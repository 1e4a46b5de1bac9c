package io.pgpilot.instance.configuration;

import io.pgpilot.instance.layout.InstanceLayout;

/**
 * Brings an instance's certificate files (see {@link io.pgpilot.instance.layout.TlsFiles}) up to
 * date. The control plane issues them (its CA key never reaches an instance host); the instance
 * side only asks for them and writes them.
 */
@FunctionalInterface
public interface CertificateSource {

    /** Issues or renews what is due among the instance's certificates (nothing is reloaded); true when a file changed. */
    boolean ensure(InstanceLayout layout);
}
