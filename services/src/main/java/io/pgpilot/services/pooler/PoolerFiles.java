package io.pgpilot.services.pooler;

import io.pgpilot.local.OsUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The files one pooler's PgBouncer processes share, under {@code <services>/poolers/<name>/}
 * (directory 0700, files 0600, owned by the OS user PgBouncer runs as): the HBA file, the auth file
 * (the auth user's and the admin console's passwords only) and the admin console's passfile. The admin
 * password is generated once per pooler and kept in the passfile.
 */
final class PoolerFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final OsUser user;
    private final Path dir;

    PoolerFiles(OsUser user, Path dir) {
        this.user = user;
        this.dir = dir.toAbsolutePath();
    }

    Path directory() {
        return dir;
    }

    Path hba() {
        return dir.resolve("pg_hba.conf");
    }

    Path authFile() {
        return dir.resolve("userlist.txt");
    }

    Path adminPassfile() {
        return dir.resolve("admin.pgpass");
    }

    Path serverCa() {
        return dir.resolve("server-ca.crt");
    }

    Path instanceDirectory(int index) {
        return dir.resolve(Integer.toString(index));
    }

    /**
     * Writes what changed; true when a file PgBouncer reads changed (running processes must RELOAD).
     * {@code clusterCa}: the cluster's CA certificate published next to its app secret, copied where
     * the PgBouncer OS user can read it (null: none published, server connections stay plain text).
     */
    boolean write(PoolerCredentials authUser, Path clusterCa) {
        try {
            user.createPrivateDirectory(dir);
            String adminPassword = adminPassword();
            boolean changed = writeIfChanged(hba(), PgBouncerConfig.hba());
            if (clusterCa != null && Files.isRegularFile(clusterCa)) {
                changed |= writeIfChanged(serverCa(), Files.readString(clusterCa));
            }
            changed |= writeIfChanged(adminPassfile(), PgBouncerConfig.adminPassfile(adminPassword));
            changed |= writeIfChanged(authFile(), PgBouncerConfig.authFile(authUser.username(), authUser.password(), adminPassword));
            return changed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of pooler " + dir.getFileName(), e);
        }
    }

    private String adminPassword() throws IOException {
        if (Files.exists(adminPassfile())) {
            String line = Files.readString(adminPassfile()).strip();
            String prefix = "*:*:pgbouncer:" + PgBouncerConfig.ADMIN_USER + ":";
            if (line.startsWith(prefix) && line.length() > prefix.length()) {
                return line.substring(prefix.length()); // generated hex: nothing was escaped
            }
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private boolean writeIfChanged(Path file, String text) throws IOException {
        if (Files.exists(file) && Files.readString(file).equals(text)) {
            return false;
        }
        PgBouncerProcess.writePrivate(user, file, text);
        return true;
    }

    /** Removes the pooler's directory (its processes must be stopped first). */
    void delete() {
        deleteTree(dir);
    }

    /** Removes one process's directory (the process must be stopped first). */
    static void deleteInstance(Path instanceDir) {
        deleteTree(instanceDir);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }
}
