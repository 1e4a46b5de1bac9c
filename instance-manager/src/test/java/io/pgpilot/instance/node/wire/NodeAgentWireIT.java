package io.pgpilot.instance.node.wire;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.LocalNodeOperations;
import io.pgpilot.instance.node.NodeScenario;
import io.pgpilot.instance.restore.RecoveryException;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.testkit.TestCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two in-JVM node agents on loopback driven through {@link NodeAgentClient}s: the wire, its authentication and its errors. */
class NodeAgentWireIT {

    static final String TOKEN = "join-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-token";
    static final Duration CONNECT = Duration.ofSeconds(2);
    static final Duration REQUEST = Duration.ofSeconds(30);

    Path root;
    LocalNodeOperations localFirst;
    LocalNodeOperations localSecond;
    NodeAgentServer firstAgent;
    NodeAgentServer secondAgent;
    NodeAgentClient first;
    NodeAgentClient second;
    final InstanceRef primary = new InstanceRef(NodeScenario.CLUSTER, 1);
    final InstanceRef replica = new InstanceRef(NodeScenario.CLUSTER, 2);

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory(Path.of("/tmp"), "node-wire-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        int base = ThreadLocalRandom.current().nextInt(20000, 40000);
        OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
        localFirst = new LocalNodeOperations(PostgresBinaries.detect(), user, Files.createDirectories(root.resolve("a")), base, "127.0.0.1");
        localSecond = new LocalNodeOperations(PostgresBinaries.detect(), user, Files.createDirectories(root.resolve("b")), base + 100,
                "127.0.0.1");
        firstAgent = NodeAgentServer.start(localFirst, "127.0.0.1", 0, TOKEN);
        secondAgent = NodeAgentServer.start(localSecond, "127.0.0.1", 0, TOKEN);
        first = new NodeAgentClient("127.0.0.1", firstAgent.port(), TOKEN, CONNECT, REQUEST);
        second = new NodeAgentClient("127.0.0.1", secondAgent.port(), TOKEN, CONNECT, REQUEST);
    }

    @AfterEach
    void tearDown() {
        localFirst.kill(primary);
        localSecond.kill(replica);
        firstAgent.close();
        secondAgent.close();
        Files2.deleteRecursively(root);
    }

    @Test
    void primaryCloneStreamPromoteStopRemoveOverTheWire() throws Exception {
        NodeScenario scenario = new NodeScenario(TestCa.create(root.resolve("ca")));
        InstanceMetadata p = scenario.primary(first, primary);
        assertThat(first.readMetadata(primary)).isEqualTo(p);
        assertThat(first.clusters()).containsExactly(NodeScenario.CLUSTER);
        assertThat(first.ordinals(NodeScenario.CLUSTER)).containsExactly(1);

        InstanceMetadata r = scenario.replica(second, replica, first.address(), p.port());
        NodeScenario.promoteAndCheck(second, replica, r.port());
        assertThat(second.observe(NodeScenario.CLUSTER).get(2).running()).isTrue();

        first.stop(primary);
        assertThat(first.isRunning(primary)).isFalse();
        assertThat(first.timeline(primary)).isEqualTo(1);
        assertThat(first.latestCheckpointLsn(primary)).isPositive();
        assertThat(second.stopOrKill(replica, Duration.ofSeconds(30))).isTrue();
        first.remove(primary);
        second.removeCluster(NodeScenario.CLUSTER);
        assertThat(first.ordinals(NodeScenario.CLUSTER)).isEmpty();
        assertThat(second.clusters()).isEmpty();
    }

    @Test
    void withoutOrWithAWrongTokenNothingRuns() {
        for (String token : new String[] {"", "join-wrong-token-0000", TOKEN + "x"}) {
            NodeAgentClient intruder = new NodeAgentClient("127.0.0.1", firstAgent.port(), token, CONNECT, REQUEST);
            assertThatThrownBy(() -> intruder.prepare(primary)).isInstanceOfSatisfying(ProvisioningException.class, e -> {
                assertThat(e.reason()).isEqualTo(ProvisioningException.Reason.SECRETS);
                assertThat(e.reason().retryHelps()).isFalse();
                assertThat(e.getMessage()).contains("refused the join token").doesNotContain(TOKEN);
            });
        }
        assertThat(localFirst.clusters()).isEmpty();
    }

    @Test
    void failuresCrossTheWireWithTheirTypeAndReason() throws Exception {
        first.prepare(primary);
        assertThatThrownBy(() -> first.awaitPromotion(primary, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(RecoveryException.class, e -> assertThat(e.getMessage()).startsWith("PostgreSQL stopped during recovery"));
        assertThatThrownBy(() -> first.initPrimary(primary, NodeScenario.SUPERUSER))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ProvisioningException.Reason.CONFIGURE);
                    assertThat(e.getMessage()).startsWith("CONFIGURE: no certificates installed for nodetest-1").doesNotContain("CONFIGURE: CONFIGURE")
                            .doesNotContain(NodeScenario.SUPERUSER.password());
                });
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        NodeAgentClient gone = new NodeAgentClient("127.0.0.1", closed, TOKEN, CONNECT, REQUEST);
        assertThatThrownBy(() -> gone.start(primary)).isInstanceOfSatisfying(ProvisioningException.class,
                e -> assertThat(e.reason().retryHelps()).isTrue());
    }

    @Test
    void theBaseBackupIsStreamedToTheNode() throws Exception {
        first.prepare(primary);
        Path source = Files.createDirectories(root.resolve("backup"));
        Files.writeString(source.resolve("PG_VERSION"), "15\n");
        Files.writeString(source.resolve("backup_label"), "START WAL LOCATION: 0/2000028\n");
        try (RandomAccessFile big = new RandomAccessFile(source.resolve("big").toFile(), "rw")) {
            big.setLength(64L << 20);
        }
        Process tar = new ProcessBuilder("tar", "-c", "-f", "-", "-C", source.toString(), ".").start();
        first.restoreBaseBackup(primary, tar.getInputStream());
        assertThat(tar.waitFor()).isZero();
        Path pgdata = localFirst.home().resolve("clusters/nodetest/nodetest-1/pgdata");
        assertThat(Files.size(pgdata.resolve("big"))).isEqualTo(64L << 20);
        assertThat(pgdata.resolve("recovery.signal")).exists();

        Process broken = new ProcessBuilder("sh", "-c", "printf 'not a tar at all'").start();
        assertThatThrownBy(() -> first.restoreBaseBackup(primary, broken.getInputStream()))
                .isInstanceOfSatisfying(RecoveryException.class, e -> assertThat(e.reason()).isEqualTo(RecoveryException.Reason.FAILED));
    }
}
