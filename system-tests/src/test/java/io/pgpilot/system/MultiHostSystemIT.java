package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.testkit.ClientSeenOutage;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.testkit.NetworkTestBed;
import io.pgpilot.testkit.NodeAgents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

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

    static Path dir;
    static NetworkTestBed bed;
    static LocalPlatform platform;
    static NodeAgents agents;
    static ClusterProbe probe;
    /** Instance name -> host:port as the status last said (a dead node's instance keeps its address). */
    static final Map<String, String> addresses = new ConcurrentHashMap<>();
    static AckedWriter writer;
    /** The node that lost power and the instance that was primary there. */
    static String lostNode;
    static String oldPrimary;
    /** Set by the last test: the directory (logs, data) is kept for a look after a failure. */
    static boolean allPassed;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "e2e-mh");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        bed = NetworkTestBed.create("e1", NODES, true);
        Path home = dir.resolve("platform");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home)
                .withAdvertisedAddress(bed.rootAddress()));
        agents = new NodeAgents(bed, dir, platform.kafkaBootstrapServers(), platform.joinTokenFile(),
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        for (String node : NODES) {
            startAgent(node);
        }
        // the agents register on pgpilot.nodes: apply only once every node can take an instance
        agents.awaitRegistered(NODES, Duration.ofSeconds(90));
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    /** The node agent of {@code node} as a process inside its host (killed by the host's power loss). */
    static void startAgent(String node) {
        agents.start(node);
    }

    @AfterAll
    static void stop() {
        if (writer != null) {
            writer.stop();
        }
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            if (bed != null) {
                bed.close();
            }
        }
        if (allPassed) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                System.err.println("multi-host: " + dir + " not removed: " + e.getMessage());
            }
        } else {
            System.err.println("multi-host: logs and data kept in " + dir);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> instances() {
        Object rows = platform.status(CLUSTER).get("instanceStatus");
        return rows == null ? List.of() : (List<Map<String, Object>>) rows;
    }

    /** Remembers where each instance is, returns instance -> host. */
    static Map<String, String> hosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (Map<String, Object> row : instances()) {
            if (row.get("host") != null && row.get("port") != null) {
                hosts.put((String) row.get("name"), (String) row.get("host"));
                addresses.put((String) row.get("name"), row.get("host") + ":" + row.get("port"));
            }
        }
        return hosts;
    }

    /** Instances that answer and are not in recovery, asked directly at their node's address over TLS. */
    static List<String> writablePrimaries() throws Exception {
        List<String> primaries = new ArrayList<>();
        for (Map.Entry<String, String> instance : addresses.entrySet()) {
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("password", probe.secret("superuser", "password"));
            props.setProperty("sslmode", "require");
            props.setProperty("connectTimeout", "2");
            props.setProperty("socketTimeout", "5");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + instance.getValue() + "/postgres", props);
                 ResultSet rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    primaries.add(instance.getKey());
                }
            } catch (java.sql.SQLException down) {
                // down or unreachable: not serving writes
            }
        }
        return primaries;
    }

    @Test
    @Order(1)
    void aThreeInstanceClusterLandsOnThreeNodes() throws Exception {
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/multi-host-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(300));
        await().atMost(CONVERGE).until(probe::healthy);
        Map<String, String> hosts = hosts();
        System.out.println("multi-host: placement " + hosts);
        assertThat(hosts.values()).containsExactlyInAnyOrder("10.77.0.11", "10.77.0.12", "10.77.0.13");
        assertThat(writablePrimaries()).containsExactly(probe.currentPrimary());
    }

    @Test
    @Order(2)
    void powerLossOfThePrimarysNodeFailsOverWithoutLosingACommit() throws Exception {
        String table = "load_power";
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), table);
        writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), table, 4).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.ackCount() > 50);

        String old = probe.currentPrimary();
        String oldHost = hosts().get(old);
        NetworkTestBed.Host node = bed.hosts().stream().filter(h -> h.address().equals(oldHost)).findFirst().orElseThrow();
        List<String> twoWritable = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    List<String> writable = writablePrimaries();
                    if (writable.size() > 1) {
                        twoWritable.add(String.valueOf(writable));
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the probe itself failed (a secret read): try again
                }
            }
        });
        long lostAt = System.nanoTime();
        bed.powerLoss(node);
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
        assertThat(hosts().get(now)).isNotEqualTo(oldHost);
        List<Long> acked = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        assertThat(probe.countPresent(table, acked)).as("acknowledged commits present on the new primary").isEqualTo(acked.size());
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        assertThat(writablePrimaries()).containsExactly(now);
        long firstNew = writer.acks().stream().filter(a -> !a.server().equals(old) && a.nanos() > lostAt)
                .mapToLong(AckedWriter.Ack::nanos).min().orElseThrow();
        ClientSeenOutage outage = ClientSeenOutage.of(writer.acks(), writer.failures(), lostAt, firstNew);
        System.out.printf("multi-host: power loss of the primary's node: new primary %s on %s, %d commits acknowledged, all present; "
                        + "client-seen outage %d ms (%d failed attempts)%n",
                now, hosts().get(now), acked.size(), outage.millis(), outage.errors());
    }

    @Test
    @Order(3)
    void theOldPrimarysNodeComesBackAndItRejoinsAsAReplicaThatNeverWrites() throws Exception {
        assertThat(lostNode).as("the power loss test ran").isNotNull();
        String primary = probe.currentPrimary();
        List<String> twoWritable = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> oldWrote = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    List<String> writable = writablePrimaries();
                    if (writable.size() > 1) {
                        twoWritable.add(String.valueOf(writable));
                    }
                    if (writable.contains(oldPrimary)) {
                        oldWrote.add(String.valueOf(writable));
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the probe itself failed: try again
                }
            }
        });
        long back = System.nanoTime();
        try {
            startAgent(lostNode); // power is back: the host boots its node agent again
            await().atMost(CONVERGE).until(() -> probe.healthy() && instances().stream().anyMatch(i -> oldPrimary.equals(i.get("name"))
                    && "replica".equals(i.get("role")) && "streaming".equals(i.get("walReceiver"))));
        } finally {
            watcher.interrupt();
        }
        System.out.printf("multi-host: %s back on %s, %s rejoined as a streaming replica of %s after %d ms%n", lostNode,
                bed.host(lostNode).address(), oldPrimary, primary, (System.nanoTime() - back) / 1_000_000);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
        assertThat(twoWritable).as("never two writable primaries").isEmpty();
        assertThat(oldWrote).as("the old primary never accepts writes again").isEmpty();
        assertThat(writablePrimaries()).containsExactly(primary);
        allPassed = true;
    }
}
