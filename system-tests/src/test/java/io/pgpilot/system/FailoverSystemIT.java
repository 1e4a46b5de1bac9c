package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HA core against the whole platform (real PostgreSQL, Kafka, HAProxy): every scenario runs
 * under a write load through rw (writers like real applications: connect and statement timeouts,
 * reconnect with a short back-off) and ends by checking that every acknowledged commit is present,
 * that no client ever got a read-only error through rw (kill -9, SIGSTOP, switchover, isolation
 * included) and that exactly one instance accepts writes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverSystemIT {

    static final String CLUSTER = "ha";
    static final Duration CONVERGE = Duration.ofSeconds(60);
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;
    AckedWriter writer;
    String table;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-ha");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(Files.readString(Path.of("src/test/resources/ha-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @BeforeEach
    void startLoad(org.junit.jupiter.api.TestInfo test) throws Exception {
        probe.awaitHealthy(CONVERGE);
        table = "load_" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z]", "").substring(0, 20);
        AckedWriter.createTable(probe.rw(), "app", "app", probe.secret("app", "password"), table);
        writer = new AckedWriter(probe.rw(), "app", "app", probe.secret("app", "password"), table, 4).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.ackCount() > 50);
    }

    @AfterEach
    void nothingAcknowledgedIsLostAndOnePrimaryRemains() throws Exception {
        writer.stop();
        List<Long> acked = writer.acks().stream().map(AckedWriter.Ack::id).toList();
        assertThat(probe.countPresent(table, acked)).as("acknowledged commits present after the event").isEqualTo(acked.size());
        probe.awaitHealthy(CONVERGE);
        assertThat(probe.writablePrimaries()).containsExactly(probe.currentPrimary());
        System.out.printf("%s: %d commits acknowledged, all present; %d client errors %s; %d commits with a replication warning%n",
                table, acked.size(), writer.errors(), errorsByState(writer.failures()), writer.unreplicatedCommits());
        assertThat(writer.failures()).as("rw never hands out a server in recovery (SQLSTATE 25006)")
                .noneMatch(AckedWriter.Failure::readOnly);
    }

    static java.util.Map<String, Long> errorsByState(List<AckedWriter.Failure> failures) {
        return failures.stream().collect(java.util.stream.Collectors.groupingBy(f -> String.valueOf(f.sqlState()),
                java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    /** Writes are acknowledged by a server other than {@code old} after the event. */
    void awaitWritesOnANewPrimary(String old, long eventNanos) {
        await().atMost(CONVERGE).until(() -> writer.acksFromOtherThan(old, eventNanos) > 20);
    }

    @Test
    @Order(1)
    void killingAReplicaCausesNoFailover() throws Exception {
        String primary = probe.currentPrimary();
        String replica = primary.equals(CLUSTER + "-3") ? CLUSTER + "-2" : CLUSTER + "-3";
        long before = writer.ackCount();
        probe.signal("KILL", List.of(probe.postmasterPid(replica)));
        await().atMost(CONVERGE).until(() -> writer.ackCount() > before + 200);
        probe.awaitHealthy(CONVERGE);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
    }

    @Test
    @Order(2)
    void killMinusNineOfThePrimaryFailsOverWithoutLosingACommit() throws Exception {
        String old = probe.currentPrimary();
        long killedAt = System.nanoTime();
        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        awaitWritesOnANewPrimary(old, killedAt);
        assertThat(probe.currentPrimary()).isNotEqualTo(old);
        System.out.printf("kill -9: first commit on the new primary %d ms after the kill%n",
                (writer.acks().stream().filter(a -> !a.server().equals(old) && a.nanos() > killedAt)
                        .mapToLong(AckedWriter.Ack::nanos).min().orElseThrow() - killedAt) / 1_000_000);
    }

    @Test
    @Order(3)
    void theOldPrimaryRejoinsAsAReplica() throws Exception {
        // after the previous failover, every instance is back: the old primary was rewound
        probe.awaitHealthy(CONVERGE);
        assertThat(probe.writablePrimaries()).hasSize(1);
    }

    @Test
    @Order(4)
    void switchoverUnderLoadLosesNothing() throws Exception {
        String old = probe.currentPrimary();
        long at = System.nanoTime();
        var response = platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/switchover", null);
        assertThat(response.statusCode()).isEqualTo(202);
        awaitWritesOnANewPrimary(old, at);
        await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()));
    }

    @Test
    @Order(5)
    void aFrozenPrimaryIsKilledFailedOverAndNeverWritesAgain() throws Exception {
        String old = probe.currentPrimary();
        List<Long> tree = probe.processTree(old);
        long frozenAt = System.nanoTime();
        probe.signal("STOP", tree);
        try {
            awaitWritesOnANewPrimary(old, frozenAt);
            // stopped by a signal and not answering: the health monitor on its host killed every process of it
            await().atMost(CONVERGE).until(() -> tree.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        } finally {
            probe.signal("CONT", tree);
        }
        long firstNew = writer.acks().stream().filter(a -> !a.server().equals(old) && a.nanos() > frozenAt)
                .mapToLong(AckedWriter.Ack::nanos).min().orElseThrow();
        assertThat(writer.acks().stream().filter(a -> a.server().equals(old) && a.nanos() > firstNew))
                .as("no commit acknowledged by the frozen primary once another one took over").isEmpty();
        System.out.printf("freeze: first commit on the new primary %d ms after the SIGSTOP%n", (firstNew - frozenAt) / 1_000_000);
        await().atMost(CONVERGE).until(() -> probe.writablePrimaries().equals(List.of(probe.currentPrimary())));
    }

    @Test
    @Order(6)
    void aFailoverServiceCrashInTheMiddleOfAFailoverStillEndsWithOnePrimary() throws Exception {
        String old = probe.currentPrimary();
        long killedAt = System.nanoTime();
        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()));
        platform.restartService("failover-service", true);
        awaitWritesOnANewPrimary(old, killedAt);
    }

    @Test
    @Order(7)
    void anIsolatedPrimaryFencesItselfAndNoWriteIsAcknowledgedTwice() throws Exception {
        String old = probe.currentPrimary();
        int port = probe.port(old);
        List<List<String>> rules = List.of(
                List.of("INPUT", "-p", "tcp", "--dport", Integer.toString(port), "-j", "DROP"),
                List.of("INPUT", "-p", "tcp", "--sport", Integer.toString(port), "-j", "DROP"));
        long isolatedAt = System.nanoTime();
        for (List<String> rule : rules) {
            iptables("-A", rule);
        }
        try {
            awaitWritesOnANewPrimary(old, isolatedAt);
            await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()));
        } finally {
            for (List<String> rule : rules) {
                iptables("-D", rule);
            }
        }
        long firstNew = writer.acks().stream().filter(a -> !a.server().equals(old) && a.nanos() > isolatedAt)
                .mapToLong(AckedWriter.Ack::nanos).min().orElseThrow();
        assertThat(writer.acks().stream().filter(a -> a.server().equals(old) && a.nanos() > firstNew))
                .as("no commit acknowledged by the isolated primary once another one took over").isEmpty();
        System.out.printf("isolation: first commit on the new primary %d ms after the isolation%n", (firstNew - isolatedAt) / 1_000_000);
    }

    @Test
    @Order(8)
    @SuppressWarnings("unchecked")
    void aFencedReplicaIsStoppedAndExcludedUntilUnfenced() throws Exception {
        String primary = probe.currentPrimary();
        String replica = primary.equals(CLUSTER + "-2") ? CLUSTER + "-3" : CLUSTER + "-2";
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/instances/" + replica + "/fence", null).statusCode())
                .isEqualTo(202);
        await().atMost(CONVERGE).until(() -> ((List<java.util.Map<String, Object>>) platform.status(CLUSTER).get("instanceStatus"))
                .stream().anyMatch(i -> replica.equals(i.get("name")) && "fenced".equals(i.get("role"))));
        await().atMost(CONVERGE).until(() -> !Files.exists(probe.dataDir(replica).resolve("postmaster.pid")));
        long before = writer.ackCount();
        await().atMost(CONVERGE).until(() -> writer.ackCount() > before + 100);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/instances/" + CLUSTER + "-9/fence", null).statusCode())
                .isEqualTo(404);
        assertThat(platform.send("POST", "/api/v1/clusters/" + CLUSTER + "/instances/" + replica + "/unfence", null).statusCode())
                .isEqualTo(202);
        probe.awaitHealthy(CONVERGE);
    }

    @Test
    @Order(9)
    void aPrimaryThatLosesOnlyKafkaKeepsServing() throws Exception {
        String primary = probe.currentPrimary();
        platform.stopKafka();
        try {
            // longer than the self-fence timeout (4 s) and the failover lease (8 s) together
            long from = writer.ackCount();
            long until = System.nanoTime() + Duration.ofSeconds(14).toNanos();
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() > until && writer.ackCount() > from + 500);
            assertThat(probe.writablePrimaries()).containsExactly(primary);
            assertThat(writer.acks().stream().filter(a -> a.nanos() > until - Duration.ofSeconds(2).toNanos()))
                    .as("still acknowledged by the same primary at the end of the outage")
                    .isNotEmpty().allSatisfy(a -> assertThat(a.server()).isEqualTo(primary));
        } finally {
            platform.startKafka();
        }
        probe.awaitHealthy(CONVERGE);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
    }

    static void iptables(String action, List<String> rule) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("iptables", action));
        command.addAll(rule);
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor()).as("iptables " + action + " " + rule + " (needs root and iptables)").isZero();
    }
}
