package io.pgpilot.instance.layout;

import io.pgpilot.local.OsUser;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TLS files of one instance in {@code <instance>/tls/}, outside the data directory (pg_basebackup
 * and pg_rewind never copy another instance's key), owned by the OS user PostgreSQL runs as, mode 600.
 * Writing them is instance-side; issuing them is the control plane's (the CA key never reaches an
 * instance host).
 */
public final class TlsFiles {

    public static final String DIRECTORY = "tls";
    public static final String SERVER_CRT = "server.crt";
    public static final String SERVER_KEY = "server.key";
    public static final String CA_CRT = "ca.crt";
    public static final String CLIENT_CRT = "replication.crt";
    public static final String CLIENT_KEY = "replication.key";

    private TlsFiles() {
    }

    public static Path directory(Path instanceDirectory) {
        return instanceDirectory.resolve(DIRECTORY);
    }

    /** The private TLS directory, created when missing. */
    public static Path ensureDirectory(Path instanceDirectory, OsUser owner) {
        Path dir = directory(instanceDirectory);
        if (!Files.isDirectory(dir)) {
            owner.createPrivateDirectory(dir);
        }
        return dir;
    }

    /** The CA certificate (PEM); true when the file changed. */
    public static boolean writeCa(Path directory, String pem, OsUser owner) {
        return Files2.writePrivate(directory.resolve(CA_CRT), pem, owner);
    }

    /**
     * A key and its certificate (PEM), key first: a reload between the two writes at worst sees the
     * old certificate with the new key and fails that reload only; PostgreSQL then keeps serving with
     * the previous pair.
     */
    public static void writePair(Path keyFile, String keyPem, Path certFile, String certPem, OsUser owner) {
        Files2.writePrivate(keyFile, keyPem, owner);
        Files2.writePrivate(certFile, certPem, owner);
    }
}
