package io.pgpilot.backup;

import io.pgpilot.model.Names;
import io.pgpilot.support.security.ServiceTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The tests act as the provisioner and the gateway: the token each call of theirs would carry. */
final class TestTokens {

    private final ServiceTokens tokens;

    TestTokens(Path home) {
        this.tokens = new ServiceTokens(home);
    }

    ServiceTokens tokens() {
        return tokens;
    }

    /** The cluster's token for /wal/{cluster} and /recovery/{cluster}, the internal one otherwise; none for invalid names. */
    HttpRequest.Builder authorize(HttpRequest.Builder request, String path) {
        AccessPolicy.Requirement r = AccessPolicy.of(path.replaceAll("\\?.*", ""));
        return switch (r) {
            case AccessPolicy.ClusterToken c -> request.header("Authorization", "Bearer " + tokens.cluster(c.cluster()));
            case AccessPolicy.InternalToken i -> request.header("Authorization", "Bearer " + tokens.internal());
            default -> request;
        };
    }

    /**
     * What the provisioner writes next to an instance's data directory for archive_command:
     * {@code <dataDir>/../backup-service.curl}. Readable by the test server's OS user (a test
     * directory; the provisioner writes it 600 owned by that user).
     */
    void writeCurlConfig(Path dataDirParent, String cluster) {
        try {
            Files.createDirectories(dataDirParent);
            Path file = dataDirParent.resolve("backup-service.curl");
            Files.writeString(file, "header = \"Authorization: Bearer " + tokens.cluster(Names.requireCluster(cluster)) + "\"\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
