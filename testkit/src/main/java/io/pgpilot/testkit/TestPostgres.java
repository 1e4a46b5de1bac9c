package io.pgpilot.testkit;

import io.pgpilot.launcher.FreePorts;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A plain standalone PostgreSQL server for adapter tests (trust auth on loopback), run as the
 * unprivileged OS user. Not how the platform creates instances: that is the provisioner's job.
 */
public final class TestPostgres implements AutoCloseable {

    private final PostgresBinaries binaries = PostgresBinaries.detect();
    private final OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    private final Path dataDir;
    private final int port;
    private final List<String> configuration;

    private TestPostgres(Path dataDir, int port, List<String> configuration) {
        this.dataDir = dataDir;
        this.port = port;
        this.configuration = List.copyOf(configuration);
    }

    /** Creates and starts a server under {@code parent} (made traversable for the OS user). */
    public static TestPostgres start(Path parent, String name) {
        return start(parent, name, List.of());
    }

    /** With extra postgresql.conf lines (e.g. archive_mode and archive_command), written before the first start. */
    public static TestPostgres start(Path parent, String name, List<String> configuration) {
        try {
            Files.createDirectories(parent);
            // JUnit's temporary directories are private; the OS user must be able to pass through
            for (Path dir = parent.toAbsolutePath(); dir != null && dir.startsWith(System.getProperty("java.io.tmpdir"))
                    && !dir.equals(Path.of(System.getProperty("java.io.tmpdir"))); dir = dir.getParent()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestPostgres server = new TestPostgres(parent.resolve(name), FreePorts.next(), configuration);
        server.initAndStart();
        return server;
    }

    private void initAndStart() {
        user.requireTraversable(dataDir.getParent());
        user.createPrivateDirectory(dataDir);
        Commands.run(user, List.of(binaries.tool("initdb"), "-D", dataDir.toString(), "-U", "postgres",
                "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"), Map.of(), null, Duration.ofSeconds(120));
        if (!configuration.isEmpty()) {
            try {
                Files.writeString(dataDir.resolve("postgresql.conf"), "\n" + String.join("\n", configuration) + "\n",
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Commands.run(user, List.of(binaries.tool("pg_ctl"), "-D", dataDir.toString(), "-w", "-t", "60",
                "-l", dataDir.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dataDir
                        + " -c fsync=off", "start"), Map.of(), null, Duration.ofSeconds(90));
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
    }

    /** Stops the server if it runs (a killed one, even an unreaped zombie, has nothing left to stop). */
    public void stop() {
        if (Files.exists(dataDir.resolve("postmaster.pid")) && io.pgpilot.local.Processes.isRunning(io.pgpilot.local.Processes.postmasterPid(dataDir))) {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"),
                    Map.of(), null, Duration.ofSeconds(60));
        }
    }

    @Override
    public void close() {
        stop();
    }
}
