package io.pgpilot.instance.runtime;

import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.testkit.TestPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A streaming standby of a {@link TestPostgres} (pg_basebackup -R, cluster_name as its
 * application_name, replies every second as the platform configures it), run as the unprivileged
 * OS user; test support only.
 */
final class Standby implements AutoCloseable {

    private final PostgresBinaries binaries = PostgresBinaries.detect();
    private final OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    private final Path dataDir;
    private final int port = FreePorts.next();

    private Standby(Path dataDir) {
        this.dataDir = dataDir;
    }

    static Standby of(TestPostgres primary, Path dataDir, String name) {
        Standby standby = new Standby(dataDir);
        standby.user.createPrivateDirectory(dataDir);
        Commands.run(standby.user, List.of(standby.binaries.tool("pg_basebackup"), "-h", "127.0.0.1", "-p",
                String.valueOf(primary.port()), "-U", "postgres", "-D", dataDir.toString(), "-R", "-X", "stream",
                "--no-sync"), Map.of(), null, Duration.ofSeconds(120));
        Commands.run(standby.user, List.of(standby.binaries.tool("pg_ctl"), "-D", dataDir.toString(), "-w", "-t", "60",
                "-l", dataDir.resolve("server.log").toString(), "-o",
                "-p " + standby.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dataDir
                        + " -c fsync=off -c cluster_name=" + name
                        // as the platform configures every instance: the primary's self-fence counts a standby
                        // while its replies advance, and an idle standby replies every second
                        + " -c wal_receiver_status_interval=1s", "start"), Map.of(), null, Duration.ofSeconds(90));
        return standby;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    boolean inRecovery() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             var rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Override
    public void close() {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            Commands.run(user, List.of(binaries.tool("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"),
                    Map.of(), null, Duration.ofSeconds(60));
        }
    }
}
