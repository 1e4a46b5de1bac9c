package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.testkit.ClientSeenOutage;
import io.pgpilot.testkit.NetworkTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * pgpilot on several hosts: the control plane (LocalPlatform) in the root namespace, reachable at
 * the test bed's root address; a node agent process on each of three network-namespace hosts
 * (10.77.0.11..13) runs the instances there. A 3-instance cluster lands on three nodes; under an
 * acknowledged write load through the -rw endpoint, the primary's node loses power (every process
 * of the host killed at once, its agent included); a replica on another node becomes the primary,
 * no acknowledged commit is lost and there are never two writable primaries.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostSystemIT {

    static final String CLUSTER = "mh";
    static final Duration CONVERGE = Duration.ofSeconds(120);
    static final List<String> NODES = List.of("n1", "n2", "n3");

    static MultiHostFixture nodes;
    static ClusterProbe probe;
    static AckedWriter writer;
    /** The node that lost power and the instance that was primary there. */
    static String lostNode;
    static String oldPrimary;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher KEEP_ON_FAILURE = MultiHostFixture.keepOnFailure(() -> nodes);

    @BeforeAll
    static void start() throws Exception {
        nodes = MultiHostFixture.start("e1", CLUSTER, NODES, NODES, List.of());
        probe = nodes.probe;
    }

    @AfterAll
    static void stop() {
        MultiHostFixture.close(nodes, writer);
    }

    @Test
    @Order(1)
    void aThreeInstanceClusterLandsOnThreeNodes() throws Exception {
        Map<String, String> hosts = nodes.applyCluster(CONVERGE);
        assertThat(hosts.values()).containsExactlyInAnyOrder("10.77.0.11", "10.77.0.12", "10.77.0.13");
        assertThat(nodes.writablePrimaries()).containsExactly(probe.currentPrimary());
    }

    @Test
    @Order(2)
    void powerLossOfThePrimarysNodeFailsOverWithoutLosingACommit() throws Exception {
        String table = "load_power";
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), table);
        writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), table, 4).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.ackCount() > 50);

        String old = probe.currentPrimary();
        String oldHost = nodes.hosts().get(old);
        NetworkTestBed.Host node = nodes.hostAt(oldHost);
        List<String> twoWritable = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread watcher = nodes.watchWritable(twoWritable, null, null);
        long lostAt = System.nanoTime();
        nodes.bed.powerLoss(node);
        lostNode = node.name();
        oldPrimary = old;
        System.out.printf("multi-host: power loss of %s (%s), primary %s%n", node.name(), oldHost, old);
        try {
            await().atMost(CONVERGE).until(() -> writer.acksFromOtherThan(old, lostAt) > 20);
        } finally {
            watcher.interrupt();
        }
        writer.stop();
        String now = probe.currentPrimary();
        assertThat(now).isNotEqualTo(old);
        assertThat(nodes.hosts().get(now)).isNotEqualTo(oldHost);
        List<Long> acked = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        assertThat(probe.countPresent(table, acked)).as("acknowledged commits present on the new primary").isEqualTo(acked.size());
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        assertThat(nodes.writablePrimaries()).containsExactly(now);
        long firstNew = writer.acks().stream().filter(a -> !a.server().equals(old) && a.nanos() > lostAt)
                .mapToLong(AckedWriter.Ack::nanos).min().orElseThrow();
        // a client on another node finds the new primary through -rw, which listens on the control plane's address
        assertThat(probe.rw()).startsWith(nodes.bed.rootAddress() + ":");
        NetworkTestBed.Host elsewhere = nodes.bed.hosts().stream()
                .filter(h -> !h.address().equals(oldHost) && !h.address().equals(nodes.hosts().get(now))).findFirst().orElseThrow();
        assertThat(nodes.askedThroughRwFrom(elsewhere)).as("pg_is_in_recovery() through -rw from " + elsewhere.name()).isEqualTo("f");
        ClientSeenOutage outage = ClientSeenOutage.of(writer.acks(), writer.failures(), lostAt, firstNew);
        System.out.printf("multi-host: power loss of the primary's node: new primary %s on %s, %d commits acknowledged, all present; "
                        + "client-seen outage %d ms (%d failed attempts)%n",
                now, nodes.hosts().get(now), acked.size(), outage.millis(), outage.errors());
    }

    @Test
    @Order(3)
    void theOldPrimarysNodeComesBackAndItRejoinsAsAReplicaThatNeverWrites() throws Exception {
        assertThat(lostNode).as("the power loss test ran").isNotNull();
        String primary = probe.currentPrimary();
        List<String> twoWritable = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> oldWrote = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread watcher = nodes.watchWritable(twoWritable, oldPrimary, oldWrote);
        long back = System.nanoTime();
        try {
            nodes.startAgent(lostNode); // power is back: the host boots its node agent again
            await().atMost(CONVERGE).until(() -> probe.healthy() && nodes.instances().stream().anyMatch(i -> oldPrimary.equals(i.get("name"))
                    && "replica".equals(i.get("role")) && "streaming".equals(i.get("walReceiver"))));
        } finally {
            watcher.interrupt();
        }
        System.out.printf("multi-host: %s back on %s, %s rejoined as a streaming replica of %s after %d ms%n", lostNode,
                nodes.bed.host(lostNode).address(), oldPrimary, primary, (System.nanoTime() - back) / 1_000_000);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        assertThat(oldWrote).as("the old primary never accepts writes again").isEmpty();
        assertThat(nodes.writablePrimaries()).containsExactly(primary);
        nodes.allPassed = true;
    }
}
