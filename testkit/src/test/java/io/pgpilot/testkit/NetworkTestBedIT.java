package io.pgpilot.testkit;

import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * The multi-host test bed with a real PostgreSQL server on one "host" and psql clients on the others:
 * reachability over the bed's bridge, isolation (dropped, not rejected), a cut between two hosts only,
 * freeze/thaw, power loss, and that nothing is left behind.
 */
class NetworkTestBedIT {

    static final PostgresBinaries BINARIES = PostgresBinaries.detect();
    static final OsUser USER = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
    static NetworkTestBed bed;
    static Path dataDir;
    static Process postgres;

    @BeforeAll
    static void start() throws Exception {
        bed = NetworkTestBed.create("pgpnb", List.of("db", "app", "other"));
        Path parent = Files.createTempDirectory("netbed-it");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        dataDir = parent.resolve("data");
        USER.createPrivateDirectory(dataDir);
        Commands.run(USER, List.of(BINARIES.tool("initdb"), "-D", dataDir.toString(), "-U", "postgres",
                "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"), Map.of(), null, Duration.ofSeconds(120));
        Files.writeString(dataDir.resolve("pg_hba.conf"), "host all all 10.77.0.0/24 trust\n",
                java.nio.file.StandardOpenOption.APPEND);
        startPostgres();
    }

    static void startPostgres() {
        NetworkTestBed.Host db = bed.host("db");
        List<String> command = new ArrayList<>(USER.wrap(List.of(BINARIES.tool("postgres"), "-D", dataDir.toString(),
                "-c", "listen_addresses=" + db.address(), "-c", "unix_socket_directories=" + dataDir, "-p", "5432")));
        postgres = bed.start(db, command, dataDir.getParent().resolve("postgres.log"));
        await().atMost(Duration.ofSeconds(60)).until(() -> reachable("app"));
    }

    @AfterAll
    static void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    /** psql from {@code from} to the db host; connect_timeout bounds a dropped connection. */
    static boolean reachable(String from) {
        try {
            String out = bed.exec(bed.host(from), "psql", "-h", bed.host("db").address(), "-p", "5432", "-U", "postgres",
                    "-At", "-c", "select 1", "dbname=postgres connect_timeout=2");
            return out.strip().equals("1");
        } catch (IllegalStateException refusedOrTimedOut) {
            return false;
        }
    }

    @Test
    void hostsReachEachOtherOverTheBridge() {
        assertThat(reachable("app")).isTrue();
        assertThat(reachable("other")).isTrue();
    }

    @Test
    void isolationDropsEverythingAndHealRestores() {
        bed.isolate(bed.host("db"));
        try {
            assertThat(reachable("app")).isFalse();
            assertThat(reachable("other")).isFalse();
        } finally {
            bed.heal(bed.host("db"));
        }
        assertThat(reachable("app")).isTrue();
    }

    @Test
    void aCutSeparatesTwoHostsOnly() {
        bed.cut(bed.host("db"), bed.host("app"));
        try {
            assertThat(reachable("app")).isFalse();
            assertThat(reachable("other")).isTrue();
        } finally {
            bed.heal(bed.host("db"));
            bed.heal(bed.host("app"));
        }
        assertThat(reachable("app")).isTrue();
    }

    @Test
    void freezeStopsServingUntilThaw() {
        bed.freeze(bed.host("db"));
        try {
            assertThat(reachable("app")).isFalse();
        } finally {
            bed.thaw(bed.host("db"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> reachable("app"));
    }

    @Test
    void powerLossKillsEveryProcessOfTheHost() {
        assertThat(bed.pids(bed.host("db"))).isNotEmpty();
        bed.powerLoss(bed.host("db"));
        await().atMost(Duration.ofSeconds(10)).until(() -> bed.pids(bed.host("db")).isEmpty());
        assertThat(reachable("app")).isFalse();
        // the data survives a power loss: the server starts again (crash recovery)
        Commands.run(USER, List.of("rm", "-f", dataDir.resolve("postmaster.pid").toString()), Map.of(), null,
                Duration.ofSeconds(10));
        startPostgres();
        assertThat(reachable("app")).isTrue();
    }

    @Test
    void closeRemovesEveryNamespace() {
        NetworkTestBed other = NetworkTestBed.create("pgpnc", List.of("a", "b"));
        other.close();
        String list = Commands.run(new OsUser("root", false), List.of("ip", "netns", "list"), Map.of(), null,
                Duration.ofSeconds(10));
        assertThat(list).doesNotContain("pgpnc-");
    }
}
