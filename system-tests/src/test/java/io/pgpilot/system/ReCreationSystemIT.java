package io.pgpilot.system;

import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, re-creation: a deleted cluster's name can be used again at once, also when the
 * deletion meets a creation, a failover or a restart of the failover service or the provisioner.
 * Every scenario starts from a healthy cluster holding a marker table and ends with a healthy
 * cluster of the same name that does not have it (fresh data, new incarnation) and takes writes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReCreationSystemIT {

    static final String CLUSTER = "again";
    static final Duration HEALTHY = Duration.ofSeconds(180);
    static Path home;
    static String manifest;
    static LocalPlatform platform;
    static ClusterProbe probe;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-again");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        manifest = Files.readString(Path.of("src/test/resources/again-cluster.yaml"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home));
        assertThat(platform.apply(manifest, CLUSTER)).isEqualTo(201);
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    /** A healthy cluster with the marker table and a row in it. */
    @BeforeEach
    void healthyWithMarker() throws Exception {
        platform.awaitHealthy(CLUSTER, HEALTHY);
        probe.awaitHealthy(HEALTHY);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = app()) {
                c.createStatement().execute("create table if not exists marker (id int primary key)");
                c.createStatement().execute("insert into marker values (1) on conflict do nothing");
            }
            return true;
        });
    }

    @Test
    @Order(1)
    void deleteAndCreateAgainAtOnceGivesAFreshHealthyCluster() throws Exception {
        String uid = uid();
        delete();
        create();
        assertFreshAndHealthy(uid);
    }

    @Test
    @Order(2)
    void deletingAClusterWhileItIsCreatedThenCreatingItAgain() throws Exception {
        delete();
        create();
        // the new incarnation is still being created: delete it, and create once more
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(home.resolve("clusters").resolve(CLUSTER)));
        String second = uid();
        delete();
        create();
        assertFreshAndHealthy(second);
    }

    @Test
    @Order(3)
    void deletingDuringAFailoverThenCreatingAgain() throws Exception {
        String uid = uid();
        String primary = probe.currentPrimary();
        probe.signal("KILL", List.of(probe.postmasterPid(primary)));
        await().atMost(Duration.ofSeconds(60)).until(() -> platform.status(CLUSTER).get("phase") instanceof String p
                && !p.equals("Cluster in healthy state"));
        delete();
        create();
        assertFreshAndHealthy(uid);
    }

    @Test
    @Order(4)
    void aFailoverServiceRestartBetweenDeleteAndCreate() throws Exception {
        String uid = uid();
        delete();
        platform.restartService("failover-service", true);
        create();
        assertFreshAndHealthy(uid);
    }

    @Test
    @Order(5)
    void aProvisionerCrashInTheMiddleOfADeletionThenCreate() throws Exception {
        String uid = uid();
        delete();
        platform.restartService("provisioner", true);
        create();
        assertFreshAndHealthy(uid);
    }

    @Test
    @Order(6)
    void aProvisionerDownDuringDeleteAndCreateFindsTheOldDataAndReplacesIt() throws Exception {
        String uid = uid();
        platform.service("provisioner").kill();
        delete();
        create();
        platform.restartService("provisioner", true);
        assertFreshAndHealthy(uid);
    }

    /** The provisioner replays the specs topic (create, delete, create...): only the newest spec counts, no data lost. */
    @Test
    @Order(7)
    void restartsOfTheProvisionerAndFailoverServiceAfterReCreationsKeepTheData() throws Exception {
        String uid = uid();
        platform.restartService("provisioner", false);
        platform.restartService("failover-service", true);
        platform.awaitHealthy(CLUSTER, HEALTHY);
        probe.awaitHealthy(HEALTHY);
        assertThat(uid()).isEqualTo(uid);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = app(); ResultSet rs = c.createStatement().executeQuery("select count(*) from marker")) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        });
    }

    /**
     * Issue 15, supervision: with the run command's supervision on, a control-plane service killed
     * with -9 is started again on its port (said in logs/platform.log), and a primary crash after
     * that is failed over as usual; restarts the platform asks for are not taken for crashes.
     */
    @Test
    @Order(8)
    void aKilledServiceIsStartedAgainWhenSupervised() throws Exception {
        platform.supervise();
        long killed = platform.service("failover-service").pid();
        ProcessHandle.of(killed).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var now = platform.service("failover-service");
            return now.pid() != killed && now.isAlive();
        });
        platform.service("failover-service").awaitHealthy(Duration.ofSeconds(120));
        String log = Files.readString(home.resolve("logs/platform.log"));
        assertThat(log).contains("service failover-service (pid " + killed + ") exited with code 137")
                .contains("service failover-service restarted");

        String old = probe.currentPrimary();
        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        await().atMost(HEALTHY).until(() -> {
            String primary = probe.currentPrimary();
            return primary != null && probe.writablePrimaries().equals(List.of(primary)) && probe.healthy();
        });
        platform.restartService("provisioner", true); // asked for: not a crash
        assertThat(Files.readString(home.resolve("logs/platform.log"))).doesNotContain("service provisioner (pid");
    }

    private static void delete() {
        assertThat(platform.send("DELETE", "/api/v1/clusters/" + CLUSTER, null).statusCode()).isEqualTo(202);
    }

    private static void create() {
        assertThat(platform.send("POST", "/api/v1/clusters", manifest).statusCode()).isEqualTo(201);
    }

    private static String uid() {
        return (String) platform.status(CLUSTER).get("uid");
    }

    private static void assertFreshAndHealthy(String oldUid) throws Exception {
        assertThat(uid()).isNotNull().isNotEqualTo(oldUid);
        platform.awaitHealthy(CLUSTER, HEALTHY);
        probe.awaitHealthy(HEALTHY);
        Map<String, Object> status = platform.status(CLUSTER);
        assertThat(status.get("readyInstances")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = app(); ResultSet rs = c.createStatement().executeQuery("select to_regclass('public.marker') is null")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("the deleted incarnation's table is gone").isTrue();
                c.createStatement().execute("create table fresh (id int)");
                c.createStatement().execute("drop table fresh");
            }
            return true;
        });
        assertThat(probe.writablePrimaries()).containsExactly(probe.currentPrimary());
    }

    private static Connection app() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + probe.rw() + "/app", "app", probe.secret("app", "password"));
    }
}
