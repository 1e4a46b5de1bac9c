package io.pgpilot.services;

import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Real HAProxy in front of three real PostgreSQL servers, driven by topologies. */
class AccessLayerIT {

    @TempDir
    static Path tmp;

    static TestPostgres a;
    static TestPostgres b;
    static TestPostgres c;

    @BeforeAll
    static void startServers() {
        var fa = CompletableFuture.supplyAsync(() -> TestPostgres.start(tmp.resolve("pg"), "a"));
        var fb = CompletableFuture.supplyAsync(() -> TestPostgres.start(tmp.resolve("pg"), "b"));
        var fc = CompletableFuture.supplyAsync(() -> TestPostgres.start(tmp.resolve("pg"), "c"));
        a = fa.join();
        b = fb.join();
        c = fc.join();
    }

    @AfterAll
    static void stopServers() {
        for (TestPostgres pg : new TestPostgres[]{a, b, c}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    static final class RecordingPublisher implements EndpointPublisher {
        final List<EndpointsRecord> records = new CopyOnWriteArrayList<>();
        final List<String> deletions = new CopyOnWriteArrayList<>();

        @Override
        public void updated(EndpointsRecord record, ClusterRoutes routes) {
            records.add(record);
        }

        @Override
        public void deleted(String cluster) {
            deletions.add(cluster);
        }
    }

    /** A RUNNING record; role "primary" is the provisioner's confirmation that the instance accepts writes. */
    private static InstanceRecord instance(int ordinal, TestPostgres pg, String role) {
        return new InstanceRecord("pg", "pg-" + ordinal, ordinal, "127.0.0.1", pg.port(), pg.dataDir().toString(),
                InstanceRecord.Phase.RUNNING, Instant.now(), role);
    }

    private static Topology topology(long epoch, String primary, List<String> replicas) {
        return new Topology("pg", epoch, primary, replicas, List.of(), 1, Instant.now(), "test");
    }

    /** One {@code listen} section of a rendered configuration. */
    static String section(String config, String proxy) {
        int start = config.indexOf("listen " + proxy + "\n");
        int end = config.indexOf("\n\n", start);
        return config.substring(start, end < 0 ? config.length() : end + 1);
    }

    static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    static int serverPort(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("select inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Which server a fresh connection through {@code port} reaches. */
    static int reached(int port) throws SQLException {
        try (Connection connection = connect(port)) {
            return serverPort(connection);
        }
    }

    static Set<Integer> reachedOver(int port, int connections) throws SQLException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < connections; i++) {
            seen.add(reached(port));
        }
        return seen;
    }

    static boolean queryFails(Connection connection) {
        try {
            serverPort(connection);
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    @Test
    void routesByTopologyAndClosesConnectionsToTheOldPrimary() throws Exception {
        Path dir = tmp.resolve("home/services");
        RecordingPublisher publisher = new RecordingPublisher();
        HaproxyProcess haproxy = new HaproxyProcess("/usr/sbin/haproxy", dir);
        PortStore ports = new PortStore(dir.resolve("ports.json"), FreePorts.next());
        try (AccessLayer layer = new AccessLayer(ports, haproxy, publisher, Clock.systemUTC()).start(Duration.ofMillis(500))) {
            layer.markCaughtUp().join();
            layer.onInstance("pg/pg-1", instance(1, a, "primary")).join();
            layer.onInstance("pg/pg-2", instance(2, b, "replica")).join();
            layer.onInstance("pg/pg-3", instance(3, c, "replica")).join();
            layer.onTopology("pg", topology(1, "pg-1", List.of("pg-2", "pg-3"))).join();

            EndpointPorts endpoints = layer.applied().join().getFirst().ports();
            assertThat(Files.readString(haproxy.configFile())).contains("listen pg-rw", "listen pg-ro", "listen pg-r");

            // rw: only the primary; ro: both replicas, never the primary; r: everyone
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> reached(endpoints.rw()) == a.port());
            assertThat(reachedOver(endpoints.rw(), 5)).containsExactly(a.port());
            assertThat(reachedOver(endpoints.ro(), 10)).containsExactlyInAnyOrder(b.port(), c.port());
            assertThat(reachedOver(endpoints.r(), 9)).containsExactlyInAnyOrder(a.port(), b.port(), c.port());
            assertThat(publisher.records).last().satisfies(r -> {
                assertThat(r.topologyEpoch()).isEqualTo(1);
                assertThat(r.rwPort()).isEqualTo(endpoints.rw());
                assertThat(r.host()).isEqualTo("127.0.0.1");
            });

            // switchover to pg-2: a session opened before on rw is closed promptly, new ones reach B
            Connection held = connect(endpoints.rw());
            Connection heldReplica = connect(endpoints.ro());
            assertThat(serverPort(held)).isEqualTo(a.port());
            int replicaServer = serverPort(heldReplica);
            long start = System.nanoTime();
            long reloadsBeforeSwitchover = haproxy.processes().reloads();
            layer.onTopology("pg", topology(2, "pg-2", List.of("pg-1", "pg-3"))).join();
            await().atMost(Duration.ofSeconds(2)).until(() -> queryFails(held));
            long closedAfterMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("rw session to the old primary closed " + closedAfterMs + " ms after the topology change");
            held.close();
            // pg-2 is named primary but has not confirmed its promotion: rw refuses, never routes to it
            assertThatThrownBy(() -> reached(endpoints.rw())).isInstanceOf(SQLException.class);
            assertThat(section(Files.readString(haproxy.configFile()), "pg-rw")).contains("server pg-2 127.0.0.1:" + b.port())
                    .doesNotContain("shutdown-sessions\n");
            // its confirmation opens rw through the runtime API at once, without a reload
            long reloadsBeforeConfirmation = haproxy.processes().reloads();
            layer.onInstance("pg/pg-2", instance(2, b, "primary")).join();
            assertThat(reachedOver(endpoints.rw(), 5)).containsExactly(b.port());
            assertThat(haproxy.processes().reloads()).as("a failover among members never reloads")
                    .isEqualTo(reloadsBeforeConfirmation).isEqualTo(reloadsBeforeSwitchover);
            assertThat(section(Files.readString(haproxy.configFile()), "pg-rw")).contains("server pg-2 127.0.0.1:" + b.port()
                    + " check inter 1s fall 2 rise 1 on-marked-down shutdown-sessions\n");
            // and losing it closes rw (and its sessions) the same way
            Connection heldOnConfirmed = connect(endpoints.rw());
            layer.onInstance("pg/pg-2", instance(2, b, "replica")).join();
            await().atMost(Duration.ofSeconds(2)).until(() -> queryFails(heldOnConfirmed));
            heldOnConfirmed.close();
            assertThatThrownBy(() -> reached(endpoints.rw())).isInstanceOf(SQLException.class);
            assertThat(haproxy.processes().reloads()).isEqualTo(reloadsBeforeConfirmation);
            layer.onInstance("pg/pg-2", instance(2, b, "primary")).join();
            assertThat(reachedOver(endpoints.rw(), 5)).containsExactly(b.port());
            assertThat(reachedOver(endpoints.ro(), 6)).containsExactlyInAnyOrder(a.port(), c.port());
            // a replica session survives when its server is still a replica, is closed when it became primary
            if (replicaServer == c.port()) {
                assertThat(queryFails(heldReplica)).isFalse();
            } else {
                await().atMost(Duration.ofSeconds(2)).until(() -> queryFails(heldReplica));
            }
            heldReplica.close();

            // identical state: no reload
            long reloads = haproxy.processes().reloads();
            layer.onInstance("pg/pg-2", instance(2, b, "primary")).join();
            assertThat(haproxy.processes().reloads()).isEqualTo(reloads);

            // an older epoch is ignored
            layer.onTopology("pg", topology(1, "pg-3", List.of("pg-1", "pg-2"))).join();
            assertThat(reachedOver(endpoints.rw(), 3)).containsExactly(b.port());
            assertThat(haproxy.processes().reloads()).isEqualTo(reloads);

            // no primary: rw refuses, never a replica; ro still serves
            Connection heldOnB = connect(endpoints.rw());
            layer.onTopology("pg", topology(3, null, List.of("pg-1", "pg-3"))).join();
            await().atMost(Duration.ofSeconds(2)).until(() -> queryFails(heldOnB));
            heldOnB.close();
            assertThatThrownBy(() -> reached(endpoints.rw())).isInstanceOf(SQLException.class);
            assertThat(reachedOver(endpoints.ro(), 4)).containsExactlyInAnyOrder(a.port(), c.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> publisher.records.getLast().topologyEpoch() == 3);

            // a second instance of the service adopts the running HAProxy through the pid file
            long masterPid = haproxy.masterPid().orElseThrow();
            HaproxyProcess second = new HaproxyProcess("/usr/sbin/haproxy", dir);
            assertThat(second.adopt()).isTrue();
            assertThat(second.masterPid()).contains(masterPid);

            // deleting the cluster frees its ports and tombstones its endpoints
            layer.onSpec("pg", false).join();
            assertThat(ports.snapshot()).doesNotContainKey("pg");
            assertThat(publisher.deletions).containsExactly("pg");
            assertThatThrownBy(() -> reached(endpoints.ro())).isInstanceOf(SQLException.class);

            layer.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(masterPid).isEmpty()
                    || !ProcessHandle.of(masterPid).get().isAlive());
            assertThat(dir.resolve("haproxy.pid")).doesNotExist();
        }
    }
}
