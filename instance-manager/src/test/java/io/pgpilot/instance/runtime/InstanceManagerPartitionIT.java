package io.pgpilot.instance.runtime;

import io.pgpilot.instance.probe.PostmasterCheck;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.NetworkTestBed;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real scenario on the multi-host test bed: PostgreSQL and its instance manager on host "db",
 * Kafka on host "cp". Host "db" is isolated (packets dropped): with no standby, nobody but the
 * instance manager on "db" can stop that primary, and it does. Everything runs inside the bed's
 * namespaces; the bed removes them and kills what runs in them in every outcome.
 */
class InstanceManagerPartitionIT {

    private static final PostgresBinaries BINARIES = PostgresBinaries.detect();
    private static final OsUser USER = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    private static final Duration FENCE = Duration.ofSeconds(2);

    @Test
    void anIsolatedPrimaryFencesItselfOnItsOwnHost() throws Exception {
        Path dir = Files.createTempDirectory("im-partition");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = dir.resolve("data");
        try (NetworkTestBed bed = NetworkTestBed.create("pgpim", List.of("db", "cp"))) {
            NetworkTestBed.Host db = bed.host("db");
            KafkaBroker kafka = bed.startKafka(bed.host("cp"), dir.resolve("kafka"));
            int pgPort = FreePorts.next();
            startPostgres(bed, db, dataDir, pgPort);

            Path config = ManagerProcess.writeConfig(dir.resolve("manager"), Map.of("cluster", "part", "uid", "uid-part-1",
                    "instance", "part-1", "cluster-size", "3", "port", String.valueOf(pgPort), "data-directory", dataDir.toString(),
                    "kafka-bootstrap-servers", kafka.bootstrapServers(), "heartbeat-interval", "300ms",
                    "self-fence-timeout", FENCE.toMillis() + "ms"), FreePorts.next());
            Path log = dir.resolve("manager/manager.log");
            bed.start(db, ManagerProcess.command(config), log);
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(log).contains("first heartbeat accepted by Kafka"));
            assertThat(PostmasterCheck.isAlive(dataDir)).isTrue();

            bed.isolate(db);
            await().atMost(FENCE.plusSeconds(30)).until(() -> !PostmasterCheck.isAlive(dataDir));
            assertThat(Files.readString(log)).contains("cluster=part instance=part-1 SELF-FENCING");

            bed.heal(db);
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(log).contains("published io.pgpilot.instance.self-fenced"));
            kafka.stop();
        } finally {
            deleteTree(dir); // after the bed killed every process that wrote into it
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** initdb (no network) here, the postmaster inside the host, listening on the host's loopback only. */
    private static void startPostgres(NetworkTestBed bed, NetworkTestBed.Host host, Path dataDir, int port) {
        USER.createPrivateDirectory(dataDir);
        Commands.run(USER, List.of(BINARIES.tool("initdb"), "-D", dataDir.toString(), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C"), Map.of(), null, Duration.ofSeconds(120));
        List<String> command = new ArrayList<>(USER.wrap(List.of(BINARIES.tool("postgres"), "-D", dataDir.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dataDir, "-p", String.valueOf(port),
                "-c", "fsync=off")));
        bed.start(host, command, dataDir.getParent().resolve("postgres.log"));
        await().atMost(Duration.ofSeconds(60)).until(() -> PostmasterCheck.isAlive(dataDir) && ready(bed, host, port));
    }

    private static boolean ready(NetworkTestBed bed, NetworkTestBed.Host host, int port) {
        try {
            bed.exec(host, BINARIES.tool("pg_isready"), "-h", "127.0.0.1", "-p", String.valueOf(port));
            return true;
        } catch (IllegalStateException notYet) {
            return false;
        }
    }
}
