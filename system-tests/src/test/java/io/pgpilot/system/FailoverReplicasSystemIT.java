package io.pgpilot.system;

import io.pgpilot.testkit.AckedWriter;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.ServiceProcess;
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
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two failover-service replicas (issue 15): one decides, the other takes over when it dies or
 * freezes, and a frozen one that wakes up never gets a decision applied. Under write load through
 * rw; every acknowledged commit is present after each scenario and one primary remains.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.Tag("long") // in the long tier: keeps the default suite under 45 min (README "Tests")
class FailoverReplicasSystemIT {

    static final String CLUSTER = "ha";
    static final Duration CONVERGE = Duration.ofSeconds(90);
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;
    AckedWriter writer;
    String table;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-replicas");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        platform.startFailoverReplica();
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
        System.out.printf("%s: %d commits acknowledged, all present; %d client errors%n", table, acked.size(), writer.errors());
    }

    static Optional<String> state(ServiceProcess replica) {
        return FailoverReplicas.state(replica);
    }

    static ServiceProcess awaitActive(Duration within) {
        return FailoverReplicas.awaitActive(platform, within);
    }

    void awaitWritesOnANewPrimary(String old, long eventNanos) {
        await().atMost(CONVERGE).until(() -> writer.acksFromOtherThan(old, eventNanos) > 20);
    }

    /** Lines in which a replica reports a topology it published (logged only once Kafka committed it). */
    static long published(ServiceProcess replica) throws Exception {
        try (var lines = Files.lines(replica.log())) {
            return lines.filter(l -> l.contains("cluster=" + CLUSTER + " epoch=")).count();
        }
    }

    @Test
    @Order(1)
    void killMinusNineOfTheActiveFailoverServiceThenOfThePrimaryStillFailsOver() throws Exception {
        ServiceProcess active = awaitActive(CONVERGE);
        long killedAt = System.nanoTime();
        active.kill();
        ServiceProcess next = awaitActive(CONVERGE);
        System.out.printf("hand-over after kill -9 of the active failover service: %d ms (%s -> %s)%n",
                (System.nanoTime() - killedAt) / 1_000_000, active.name(), next.name());
        String old = probe.currentPrimary();
        long primaryKilledAt = System.nanoTime();
        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        awaitWritesOnANewPrimary(old, primaryKilledAt);
        await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()));
        platform.startFailoverReplica(); // two replicas again for the next scenario
    }

    @Test
    @Order(2)
    void aFrozenFailoverServiceThatWakesUpNeverHasADecisionApplied() throws Exception {
        ServiceProcess frozen = awaitActive(CONVERGE);
        long publishedBefore = published(frozen);
        String old = probe.currentPrimary();
        List<Long> pid = List.of(frozen.pid());
        long frozenAt = System.nanoTime();
        probe.signal("STOP", pid);
        try {
            // the primary dies while the decider is frozen: its stale view would fail over again on waking
            probe.signal("KILL", List.of(probe.postmasterPid(old)));
            ServiceProcess next = awaitActive(CONVERGE);
            System.out.printf("hand-over after SIGSTOP of the active failover service: %d ms (%s -> %s)%n",
                    (System.nanoTime() - frozenAt) / 1_000_000, frozen.name(), next.name());
            awaitWritesOnANewPrimary(old, frozenAt);
            await().atMost(CONVERGE).until(() -> !old.equals(probe.currentPrimary()));
        } finally {
            probe.signal("CONT", pid);
        }
        String primary = probe.currentPrimary();
        await().atMost(CONVERGE).until(() -> state(frozen).filter("STANDBY"::equals).isPresent());
        assertThat(published(frozen)).as("topologies published by the replica that was frozen, after it was frozen")
                .isEqualTo(publishedBefore);
        probe.awaitHealthy(CONVERGE);
        assertThat(probe.currentPrimary()).isEqualTo(primary);
    }
}
