package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.testkit.NetworkTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Re-placement of a lost node's instance (issue 8): four node hosts, a 3-instance cluster on three
 * of them. Under an acknowledged write load, a replica's node loses power and stays down for longer
 * than the provisioner's loss grace (15 s here, {@code pgpilot.provisioner.nodes.loss-grace}): the
 * provisioner re-creates that instance, under its own name, as a replica cloned from the primary on
 * the spare node; the primary never changes and writes go on. When the lost node's power is back,
 * its stale copy is removed and it takes no part in the cluster.
 * In the long tier: it adds a fourth node and the loss grace to the multi-host set-up.
 */
@Tag("long")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeReplacementSystemIT {

    static final String CLUSTER = "nr";
    static final Duration CONVERGE = Duration.ofSeconds(180);
    static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

    static MultiHostFixture nodes;
    static ClusterProbe probe;
    static AckedWriter writer;
    static String primary;
    static String moved;
    static String lostNode;
    static String spare;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher KEEP_ON_FAILURE = MultiHostFixture.keepOnFailure(() -> nodes);

    @BeforeAll
    static void start() throws Exception {
        nodes = MultiHostFixture.start("e3", CLUSTER, NODES, NODES, List.of("--pgpilot.provisioner.nodes.loss-grace=15s"));
        probe = nodes.probe;
    }

    @AfterAll
    static void stop() {
        MultiHostFixture.close(nodes, writer);
    }

    @Test
    @Order(1)
    void threeInstancesLandOnThreeOfTheFourNodes() throws Exception {
        Map<String, String> hosts = nodes.applyCluster(CONVERGE);
        assertThat(hosts).hasSize(3);
        assertThat(hosts.values()).doesNotHaveDuplicates();
        spare = nodes.bed.hosts().stream().map(NetworkTestBed.Host::address).filter(a -> !hosts.containsValue(a)).findFirst().orElseThrow();
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aReplicasNodeLostForLongerThanTheGraceHasItsInstanceReCreatedOnTheSpareNode() throws Exception {
        assertThat(spare).as("the placement test ran").isNotNull();
        String table = "load_replace";
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), table);
        writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), table, 4).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.ackCount() > 50);

        primary = probe.currentPrimary();
        Map<String, String> hosts = nodes.hosts();
        moved = hosts.keySet().stream().filter(i -> !i.equals(primary)).sorted().findFirst().orElseThrow();
        NetworkTestBed.Host node = nodes.hostAt(hosts.get(moved));
        lostNode = node.name();
        List<String> twoWritable = new CopyOnWriteArrayList<>();
        Thread watcher = nodes.watchWritable(twoWritable, null, null);
        long lostAt = System.nanoTime();
        nodes.bed.powerLoss(node);
        System.out.printf("node replacement: power loss of %s (%s) holding replica %s; primary %s; spare node at %s%n", node.name(),
                node.address(), moved, primary, spare);
        try {
            await().atMost(CONVERGE).until(() -> spare.equals(nodes.hosts().get(moved)) && probe.healthy());
        } finally {
            watcher.interrupt();
        }
        long replacedMs = (System.nanoTime() - lostAt) / 1_000_000;
        long ackedSince = writer.acks().stream().filter(a -> a.nanos() > lostAt).count();
        writer.stop();
        List<Long> acked = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        assertThat(probe.countPresent(table, acked)).as("acknowledged commits present").isEqualTo(acked.size());
        assertThat(probe.currentPrimary()).as("a replica's loss changes no primary").isEqualTo(primary);
        assertThat(ackedSince).as("writes went on while the replica's node was lost").isGreaterThan(100);
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        assertThat(nodes.writablePrimaries()).containsExactly(primary);
        Map<String, Object> replaced = SseReader.read(nodes.platform.gateway(),
                "?cluster=" + CLUSTER + "&type=instance.replaced&from=beginning", null, 1, Duration.ofSeconds(30)).events().getFirst();
        assertThat((Map<String, Object>) replaced.get("data")).containsEntry("lostNode", lostNode).containsEntry("host", spare);
        System.out.printf("node replacement: %s re-created on %s and streaming %d ms after the power loss; %d commits acknowledged "
                + "(%d after the loss), all present%n", moved, spare, replacedMs, acked.size(), ackedSince);
    }

    @Test
    @Order(3)
    void theLostNodeComesBackAndItsStaleCopyIsRemoved() throws Exception {
        assertThat(lostNode).as("the re-placement test ran").isNotNull();
        Path staleCopy = nodes.instanceDirectory(lostNode, moved);
        assertThat(staleCopy).as("the lost node's copy is still on its disk").exists();
        List<String> twoWritable = new CopyOnWriteArrayList<>();
        Thread watcher = nodes.watchWritable(twoWritable, null, null);
        long back = System.nanoTime();
        try {
            nodes.startAgent(lostNode); // power is back: the host boots its node agent again
            SseReader.read(nodes.platform.gateway(), "?cluster=" + CLUSTER + "&type=instance.stale_copy_removed&from=beginning", null, 1,
                    CONVERGE);
            await().atMost(CONVERGE).until(() -> !Files.exists(staleCopy));
            probe.awaitHealthy(CONVERGE);
        } finally {
            watcher.interrupt();
        }
        System.out.printf("node replacement: %s back, stale copy of %s removed after %d ms%n", lostNode, moved,
                (System.nanoTime() - back) / 1_000_000);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
        assertThat(nodes.hosts()).containsEntry(moved, spare).hasSize(3);
        assertThat(nodes.hosts().values()).doesNotHaveDuplicates().doesNotContain(nodes.bed.host(lostNode).address());
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        nodes.allPassed = true;
    }
}
