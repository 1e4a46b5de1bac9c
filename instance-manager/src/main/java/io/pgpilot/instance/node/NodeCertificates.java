package io.pgpilot.instance.node;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.local.OsUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TLS files of a node's instances as the control plane issued them ({@link TlsFiles}: owned by
 * the OS user, mode 600). A node never issues: {@link #present} is its
 * {@link io.pgpilot.instance.configuration.CertificateSource}, which writes nothing and refuses to go
 * on without the files (PostgreSQL would not start with {@code ssl = on} and no key).
 */
final class NodeCertificates {

    private final OsUser owner;

    NodeCertificates(OsUser owner) {
        this.owner = owner;
    }

    /** Writes the bundle (keys before their certificates); true when a file changed. */
    boolean install(InstanceLayout layout, CertificateBundle bundle) {
        if (!Files.isDirectory(layout.directory())) {
            throw new ProvisioningException(Reason.LAYOUT, "instance " + layout.instance() + " is not prepared on this node");
        }
        if (bundle == null || bundle.caCertificate() == null || bundle.serverKey() == null || bundle.serverCertificate() == null
                || bundle.clientKey() == null || bundle.clientCertificate() == null) {
            throw new ProvisioningException(Reason.CONFIGURE, "incomplete certificate bundle for " + layout.instance());
        }
        try {
            Path dir = TlsFiles.ensureDirectory(layout.directory(), owner);
            boolean changed = TlsFiles.writeCa(dir, bundle.caCertificate(), owner);
            changed |= Files2.writePrivate(dir.resolve(TlsFiles.SERVER_KEY), bundle.serverKey(), owner);
            changed |= Files2.writePrivate(dir.resolve(TlsFiles.SERVER_CRT), bundle.serverCertificate(), owner);
            changed |= Files2.writePrivate(dir.resolve(TlsFiles.CLIENT_KEY), bundle.clientKey(), owner);
            changed |= Files2.writePrivate(dir.resolve(TlsFiles.CLIENT_CRT), bundle.clientCertificate(), owner);
            return changed;
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write the certificates of " + layout.instance(), e);
        }
    }

    /** The current server certificate (PEM); null when there is none. */
    String serverCertificate(InstanceLayout layout) {
        Path file = layout.tlsDirectory().resolve(TlsFiles.SERVER_CRT);
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot read the server certificate of " + layout.instance(), e);
        }
    }

    /** The node's certificate source: nothing is issued or written here, so never "changed". */
    boolean present(InstanceLayout layout) {
        for (String name : List.of(TlsFiles.CA_CRT, TlsFiles.SERVER_KEY, TlsFiles.SERVER_CRT, TlsFiles.CLIENT_KEY, TlsFiles.CLIENT_CRT)) {
            if (!Files.exists(layout.tlsDirectory().resolve(name))) {
                throw new ProvisioningException(Reason.CONFIGURE, "no certificates installed for " + layout.instance()
                        + " (" + name + " missing): the control plane installs them first");
            }
        }
        return false;
    }
}
