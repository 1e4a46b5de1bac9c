package io.pgpilot.instance.node;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.testkit.TestCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two nodes on this host (two homes, two port ranges) driven through {@link LocalNodeOperations}, real PostgreSQL. */
class LocalNodeOperationsIT {

    Path root;
    LocalNodeOperations first;
    LocalNodeOperations second;
    final InstanceRef primary = new InstanceRef(NodeScenario.CLUSTER, 1);
    final InstanceRef replica = new InstanceRef(NodeScenario.CLUSTER, 2);

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory(Path.of("/tmp"), "node-lno-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        int base = ThreadLocalRandom.current().nextInt(20000, 40000);
        OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
        first = new LocalNodeOperations(PostgresBinaries.detect(), user, Files.createDirectories(root.resolve("a")), base, "127.0.0.1");
        second = new LocalNodeOperations(PostgresBinaries.detect(), user, Files.createDirectories(root.resolve("b")), base + 100, "127.0.0.1");
    }

    @AfterEach
    void tearDown() {
        first.kill(primary);
        second.kill(replica);
        Files2.deleteRecursively(root);
    }

    @Test
    void primaryCloneStreamPromoteStopRemove() throws Exception {
        NodeScenario scenario = new NodeScenario(TestCa.create(root.resolve("ca")));
        InstanceMetadata p = scenario.primary(first, primary);
        String managed = Files.readString(first.home().resolve("clusters/nodetest/nodetest-1/pgdata/" + ConfigRenderer.MANAGED_FILE));
        assertThat(managed).as("the node's own paths replace the control plane's")
                .contains("unix_socket_directories = '" + first.home().resolve("clusters/nodetest/nodetest-1/sock") + "'")
                .doesNotContain("/control-plane-only");

        InstanceMetadata r = scenario.replica(second, replica, "127.0.0.1", p.port());
        assertThat(Files.readString(second.home().resolve("clusters/nodetest/nodetest-2/pgdata/" + ConfigRenderer.MANAGED_FILE)))
                .contains(second.home().resolve("clusters/nodetest/nodetest-2/tls/replication.crt").toString()).doesNotContain("/control-plane-only");
        NodeScenario.promoteAndCheck(second, replica, r.port());

        first.stop(primary);
        assertThat(first.isRunning(primary)).isFalse();
        assertThat(first.timeline(primary)).isEqualTo(1);
        assertThat(first.latestCheckpointLsn(primary)).isPositive();
        assertThat(second.stopOrKill(replica, Duration.ofSeconds(30))).isTrue();
        assertThat(second.timeline(replica)).isEqualTo(2);

        first.remove(primary);
        assertThat(first.ordinals(NodeScenario.CLUSTER)).isEmpty();
        second.removeCluster(NodeScenario.CLUSTER);
        assertThat(second.clusters()).isEmpty();
    }

    @Test
    void refusesToConfigureWithoutCertificatesAndStoresTokensPrivately() throws Exception {
        first.prepare(primary);
        assertThatThrownBy(() -> first.initPrimary(primary, NodeScenario.SUPERUSER))
                .isInstanceOf(ProvisioningException.class).hasMessageContaining("no certificates installed for nodetest-1");
        first.writeClusterToken(NodeScenario.CLUSTER, "tok-123");
        Path file = first.home().resolve("secrets/nodetest-wal-token.json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(new ClusterSecrets(first.home()).readToken(NodeScenario.CLUSTER)).isEqualTo("tok-123");
    }
}
