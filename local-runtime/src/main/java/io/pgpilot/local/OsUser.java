package io.pgpilot.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The OS user PostgreSQL runs as. PostgreSQL refuses to run as root, so when the platform runs as
 * root every PostgreSQL command goes through {@code runuser} to an unprivileged user.
 */
public record OsUser(String name, boolean switchUser) {

    public static final String DEFAULT_UNPRIVILEGED = "postgres";

    public static OsUser forPostgres(String unprivilegedName) {
        return isRoot() ? new OsUser(unprivilegedName, true) : new OsUser(System.getProperty("user.name"), false);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public List<String> wrap(List<String> command) {
        if (!switchUser) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Creates a directory owned by this user with mode 0700 (what initdb and PostgreSQL demand). */
    public void createPrivateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            chown(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives the file to this user (when switching user); no-op otherwise. */
    public void chown(Path path) {
        if (!switchUser) {
            return;
        }
        try {
            var lookup = path.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(path, lookup.lookupPrincipalByName(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + path + " to OS user " + name, e);
        }
    }

    /**
     * The unprivileged user must be able to reach its directories: every parent needs o+x. Fails
     * with a clear message instead of letting initdb fail obscurely.
     */
    public void requireTraversable(Path dir) {
        if (!switchUser) {
            return;
        }
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                try {
                    var perms = Files.getPosixFilePermissions(p);
                    if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
                            && !Files.getOwner(p).getName().equals(name)) {
                        throw new IllegalStateException("OS user " + name + " cannot reach " + dir + ": " + p
                                + " is not traversable (chmod o+x it or choose another data directory)");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
