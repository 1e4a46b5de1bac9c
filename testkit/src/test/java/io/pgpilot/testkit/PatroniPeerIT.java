package io.pgpilot.testkit;

import io.pgpilot.testkit.NetworkTestBed.Host;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The benchmark peer works as documented on the multi-host test bed: three Patroni + etcd nodes form a
 * cluster with a leader and streaming replicas, HAProxy on the client host routes to the leader, and
 * after a power loss of the leader's host a replica takes over with every committed row.
 */
class PatroniPeerIT {

    static NetworkTestBed bed;
    static PatroniPeer peer;
    static Path pgpass;

    @BeforeAll
    static void start() throws Exception {
        bed = NetworkTestBed.create("pgppat", List.of("n1", "n2", "n3", "app"));
        Path home = Files.createTempDirectory("patroni-peer-it");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Host> nodes = List.of(bed.host("n1"), bed.host("n2"), bed.host("n3"));
        peer = PatroniPeer.start(bed, nodes, bed.host("app"), home, PatroniPeer.Timing.TUNED);
        pgpass = home.resolve("client.pgpass");
        Files.writeString(pgpass, "*:*:*:postgres:" + peer.superuserPassword() + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    /**
     * One psql call from the client host, bounded by {@code timeout}: a commit that waits for a synchronous
     * standby which is still being re-pointed must not hold the whole await (the row then commits later,
     * which is why the write below is idempotent).
     */
    static String sql(String statement) {
        return bed.exec(bed.host("app"), "timeout", "10", "env", "PGPASSFILE=" + pgpass, "PGCONNECT_TIMEOUT=2", "psql", "-h", "127.0.0.1",
                "-p", Integer.toString(PatroniPeer.PROXY_PORT), "-U", "postgres", "-d", "postgres", "-At", "-c", statement).strip();
    }

    static boolean writes(String statement) {
        try {
            sql(statement);
            return true;
        } catch (IllegalStateException notYet) {
            return false;
        }
    }

    @Test
    void aLeaderServesWritesAndASurvivorTakesOverAfterPowerLoss() {
        assertThat(peer.streamingReplicas()).isEqualTo(2);
        sql("create table if not exists t (id int primary key)");
        sql("insert into t select generate_series(1, 100)");
        Host leader = peer.leader().orElseThrow();

        bed.powerLoss(leader);

        await().atMost(Duration.ofSeconds(90)).until(() -> peer.leader().filter(h -> !h.equals(leader)).isPresent());
        await().atMost(Duration.ofSeconds(90)).until(() -> writes("insert into t values (101) on conflict do nothing"));
        assertThat(sql("select count(*) from t")).isEqualTo("101");
    }
}
