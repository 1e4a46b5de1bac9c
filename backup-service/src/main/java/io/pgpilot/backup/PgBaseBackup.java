package io.pgpilot.backup;

import io.pgpilot.events.Lsn;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code pg_basebackup -Ft -X none -D -} (one tar of PGDATA on stdout, WAL left to the
 * archive) as the unprivileged OS user against one instance over the replication protocol. The
 * replication password travels in a passfile of mode 600 removed afterwards, never on the command
 * line. (With {@code -X none} it prints no WAL points: they come from the tar, see {@link TarScanner}.)
 */
final class PgBaseBackup {

    /** What pg_basebackup reported. */
    record Points(long startLsn, int timeline, long endLsn) {
    }

    static final class BaseBackupException extends RuntimeException {
        BaseBackupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline ([0-9]+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");

    private final PostgresBinaries binaries;
    private final OsUser user;
    private final Path workDirectory;

    PgBaseBackup(PostgresBinaries binaries, OsUser user, Path workDirectory) {
        this.binaries = binaries;
        this.user = user;
        this.workDirectory = workDirectory;
    }

    /** A pg_basebackup process; read its tar from {@link #tar()}, then {@link #await}. */
    final class Running implements AutoCloseable {
        private final Process process;
        private final Path passfile;
        private final Deque<String> errors = new ArrayDeque<>();
        private final Thread errorReader;
        private volatile long startLsn;
        private volatile int timeline;
        private volatile long endLsn;

        private Running(Process process, Path passfile) {
            this.process = process;
            this.passfile = passfile;
            this.errorReader = Thread.ofVirtual().start(this::readErrors);
        }

        private void readErrors() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    Matcher m = START.matcher(line);
                    if (m.find()) {
                        startLsn = Lsn.parse(m.group(1));
                        timeline = Integer.parseInt(m.group(2));
                    }
                    m = END.matcher(line);
                    if (m.find()) {
                        endLsn = Lsn.parse(m.group(1));
                    }
                    synchronized (errors) {
                        errors.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                        if (errors.size() > 20) {
                            errors.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        InputStream tar() {
            return process.getInputStream();
        }

        /** Waits for the exit; the points when it succeeded. */
        Points await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new BaseBackupException("pg_basebackup timed out after " + timeout, null);
                }
                errorReader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new BaseBackupException("interrupted", e);
            }
            if (process.exitValue() != 0) {
                throw new BaseBackupException("pg_basebackup failed with exit code " + process.exitValue() + ": " + tail(), null);
            }
            return new Points(startLsn, timeline, endLsn);
        }

        String tail() {
            synchronized (errors) {
                return String.join(" | ", errors.stream().skip(Math.max(0, errors.size() - 4)).toList());
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(passfile);
            } catch (IOException e) {
                // removed with the work directory at the latest
            }
        }
    }

    Running start(int port, String username, String password, String label) {
        return start(port, username, password, label, null);
    }

    /**
     * @param tlsDirectory the source instance's TLS directory ({@code <home>/clusters/<cluster>/<instance>/tls});
     *                     when it holds the streaming_replica client certificate, pg_basebackup authenticates with it
     *                     (replication accepts only certificates) and verifies the server against the CA
     */
    Running start(int port, String username, String password, String label, Path tlsDirectory) {
        Path passfile = workDirectory.resolve(label.replaceAll("[^A-Za-z0-9_-]", "_") + ".pgpass");
        try {
            Files.createDirectories(workDirectory);
            Files.setPosixFilePermissions(workDirectory, PosixFilePermissions.fromString("rwx--x--x"));
            Files.deleteIfExists(passfile);
            Files.createFile(passfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passfile, "127.0.0.1:*:*:" + escape(username) + ":" + escape(password) + "\n");
            user.chown(passfile);
            List<String> command = user.wrap(List.of(binaries.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "-U", username, "-D", "-", "-Ft", "-X", "none", "-c", "fast", "-v", "--no-password", "-l", label));
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile());
            builder.environment().put("PGPASSFILE", passfile.toString());
            builder.environment().put("LC_ALL", "C");
            if (tlsDirectory != null && Files.exists(tlsDirectory.resolve("replication.crt"))) {
                builder.environment().put("PGSSLMODE", "verify-ca");
                builder.environment().put("PGSSLROOTCERT", tlsDirectory.resolve("ca.crt").toString());
                builder.environment().put("PGSSLCERT", tlsDirectory.resolve("replication.crt").toString());
                builder.environment().put("PGSSLKEY", tlsDirectory.resolve("replication.key").toString());
            }
            Process process = builder.start();
            process.getOutputStream().close();
            return new Running(process, passfile);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(passfile);
            } catch (IOException ignored) {
                // nothing else to do
            }
            throw new UncheckedIOException("cannot start pg_basebackup", e);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace(":", "\\:");
    }
}
