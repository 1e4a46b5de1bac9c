package io.pgpilot.services.pooler;

import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.local.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One PgBouncer process (Debian's {@code pgbouncer}, daemonized with a pid file) run as the
 * unprivileged OS user, with its files in its own directory. Its admin console is reached with
 * {@code psql} over its Unix socket (password from a 0600 passfile, never on the command line): RELOAD, PAUSE, RESUME and the SHOW
 * commands. A process left by an earlier run of the services module is adopted through its pid
 * file. Not thread-safe.
 */
final class PgBouncerProcess {

    /** The admin console did not answer as expected (the process may be gone): a retry may help. */
    static final class AdminException extends RuntimeException {
        AdminException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final String binary;
    private final OsUser user;
    private final Path dir;
    private final int port;
    private final Path adminPassfile;

    PgBouncerProcess(String binary, OsUser user, Path dir, int port, Path adminPassfile) {
        this.binary = binary;
        this.user = user;
        this.dir = dir.toAbsolutePath();
        this.port = port;
        this.adminPassfile = adminPassfile.toAbsolutePath();
    }

    Path directory() {
        return dir;
    }

    Path configFile() {
        return dir.resolve("pgbouncer.ini");
    }

    long pid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("pgbouncer.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    boolean running() {
        return Processes.isRunning(pid());
    }

    /** Writes the configuration atomically; true when it changed. */
    boolean writeConfig(String ini) {
        try {
            user.createPrivateDirectory(dir);
            Path file = configFile();
            if (Files.exists(file) && Files.readString(file).equals(ini)) {
                return false;
            }
            writePrivate(user, file, ini);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile(), e);
        }
    }

    void start() {
        Commands.run(user, List.of(binary, "-d", "-q", configFile().toString()), Map.of(), dir, START_TIMEOUT);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!(running() && Files.exists(dir.resolve(".s.PGSQL." + port)))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pgbouncer in " + dir + " did not start: " + logTail());
            }
            pause(50);
        }
    }

    /** Re-reads the configuration (new target, parameters) without dropping clients. */
    void reload() {
        admin("RELOAD");
    }

    /** Waits until every server connection is released, then holds new queries; false if not done in time. */
    boolean pauseAndWait(Duration timeout) {
        try {
            admin(timeout, "PAUSE");
            return true;
        } catch (AdminException e) {
            return false;
        }
    }

    void resume() {
        try {
            admin("RESUME");
        } catch (AdminException e) {
            // "pooler is not paused/suspended" after a restart: that is the state we want
            if (!String.valueOf(e.getMessage()).contains("not paused")) {
                throw e;
            }
        }
    }

    /** Rows of a SHOW command, columns separated by '|', the header first. */
    List<String> show(String what) {
        String out = admin("SHOW " + what);
        List<String> rows = new ArrayList<>();
        out.lines().filter(line -> !line.isBlank()).forEach(rows::add);
        return rows;
    }

    String admin(String command) {
        return admin(ADMIN_TIMEOUT, command);
    }

    private String admin(Duration timeout, String command) {
        try {
            return Commands.run(user, List.of(PostgresBinaries.detect().tool("psql"), "-X", "-q", "-A", "-F", "|", "-P",
                    "footer=off", "-h", dir.toString(), "-p", Integer.toString(port), "-U", PgBouncerConfig.ADMIN_USER, "-d", "pgbouncer",
                    "-c", command), Map.of("PGCONNECT_TIMEOUT", "3", "PGPASSFILE", adminPassfile.toString()), dir, timeout);
        } catch (CommandException e) {
            throw new AdminException("pgbouncer " + dir.getFileName() + " " + command + ": " + e.getMessage(), e);
        }
    }

    /** Immediate shutdown (SIGTERM): clients are disconnected. */
    void stop() {
        long pid = pid();
        if (!Processes.isRunning(pid)) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Processes.isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            pause(20);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("pgbouncer.log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void writePrivate(OsUser user, Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        user.chown(tmp);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling a pid file and socket, not waiting for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
