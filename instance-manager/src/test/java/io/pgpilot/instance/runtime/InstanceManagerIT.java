package io.pgpilot.instance.runtime;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.probe.PostmasterCheck;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The instance manager main as a real process beside real PostgreSQL servers, publishing to a real
 * Kafka broker that the tests really stop.
 */
class InstanceManagerIT {

    private static final String CLUSTER = "im";
    private static final String UID = "uid-im-1";
    private static final Duration FENCE = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    record Keyed(String key, String value) {
    }

    private static Map<String, String> settings(String instance, int clusterSize, int port, Path dataDir, KafkaBroker kafka) {
        return Map.of("cluster", CLUSTER, "uid", UID, "instance", instance, "cluster-size", String.valueOf(clusterSize),
                "port", String.valueOf(port), "data-directory", dataDir.toString(),
                "kafka-bootstrap-servers", kafka.bootstrapServers(), "heartbeat-interval", "300ms",
                "probe-timeout", "1s", "self-fence-timeout", FENCE.toMillis() + "ms");
    }

    private static TopicTailer tail(KafkaBroker kafka, String topic, List<Keyed> into) {
        return new TopicTailer(kafka.bootstrapServers(), "it-" + topic, Map.of(topic, TopicTailer.Start.BEGINNING),
                (t, key, value) -> into.add(new Keyed(key, value))).start();
    }

    private static List<Heartbeat> heartbeats(List<Keyed> records, String instance) {
        return records.stream().map(r -> Json.read(r.value(), Heartbeat.class)).filter(h -> h.instance().equals(instance)).toList();
    }

    private static boolean streaming(TestPostgres primary) throws Exception {
        try (Connection c = primary.connect();
             var rs = c.createStatement().executeQuery("select count(*) from pg_stat_replication where state = 'streaming'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    @Test
    void anUnusableConfigurationStopsTheMainWithExitCode2NamingTheFieldAndNoSecret() throws Exception {
        Path config = tmp.resolve("bad.properties");
        java.nio.file.Files.writeString(config, "cluster=im\ninstance=im-1\nport=99999\npassword=never-echoed\n");
        Process main = new ProcessBuilder(ManagerProcess.command(config)).redirectErrorStream(true).start();
        String output = new String(main.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(main.waitFor()).isEqualTo(2);
        assertThat(output).contains("field 'port'", "field 'uid': required", "field 'password': unknown")
                .doesNotContain("never-echoed");
    }

    @Test
    void publishesTheHealthMonitorsHeartbeatsAndAnswersTheChecksOfAPrimaryAndAReplica() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres primary = TestPostgres.start(tmp.resolve("pg"), "im-1");
             Standby replica = Standby.of(primary, tmp.resolve("pg/im-2"), "im-2")) {
            EventBus.ensureTopics(kafka.bootstrapServers(), (short) 1);
            List<Keyed> records = new CopyOnWriteArrayList<>();
            try (TopicTailer ignored = tail(kafka, Topics.HEARTBEATS, records);
                 ManagerProcess onPrimary = ManagerProcess.start(tmp.resolve("m1"),
                         settings("im-1", 2, primary.port(), primary.dataDir(), kafka), FreePorts.next());
                 ManagerProcess onReplica = ManagerProcess.start(tmp.resolve("m2"),
                         settings("im-2", 2, replica.port(), replica.dataDir(), kafka), FreePorts.next())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> heartbeats(records, "im-1").stream()
                        .anyMatch(h -> h.isUp() && !h.standbys().isEmpty()) && heartbeats(records, "im-2").stream().anyMatch(Heartbeat::isUp));
                Heartbeat p = heartbeats(records, "im-1").stream().filter(h -> h.isUp() && !h.standbys().isEmpty()).findFirst().orElseThrow();
                assertThat(p.role()).isEqualTo(Heartbeat.Role.PRIMARY);
                assertThat(p.uid()).isEqualTo(UID);
                assertThat(p.processAlive()).isTrue();
                assertThat(p.currentLsn()).isPositive();
                assertThat(p.standbys()).singleElement().satisfies(s -> assertThat(s.applicationName()).isEqualTo("im-2"));
                Heartbeat r = heartbeats(records, "im-2").stream().filter(Heartbeat::isUp).findFirst().orElseThrow();
                assertThat(r.role()).isEqualTo(Heartbeat.Role.REPLICA);
                assertThat(r.walReceiverStatus()).isEqualTo("streaming");
                // the record key is the cluster, exactly as the health monitor publishes it
                assertThat(records).allSatisfy(k -> assertThat(k.key()).isEqualTo(CLUSTER));

                assertThat(onPrimary.status("/primary")).isEqualTo(200);
                assertThat(onPrimary.status("/replica")).isEqualTo(503);
                assertThat(onPrimary.status("/health")).isEqualTo(200);
                assertThat(onReplica.status("/primary")).isEqualTo(503);
                assertThat(onReplica.status("/replica")).isEqualTo(200);
                assertThat(onReplica.status("/health")).isEqualTo(200);
                assertThat(onReplica.status("/metrics")).isEqualTo(404);
                assertThat(onPrimary.log()).contains("cluster=im instance=im-1").doesNotContain("unused-with-trust");

                replica.close();
                // unreachable while the postmaster is on its way out, then down
                await().atMost(Duration.ofSeconds(30)).until(() -> onReplica.latest().state() == Heartbeat.State.DOWN);
                assertThat(onReplica.status("/health")).isEqualTo(503);
                assertThat(onReplica.status("/replica")).isEqualTo(503);
            }
        }
    }

    @Test
    void aPrimaryThatLosesKafkaWithNoStandbyStreamingFencesItselfAndSaysSoWhenKafkaIsBack() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres primary = TestPostgres.start(tmp.resolve("pg"), "im-1")) {
            EventBus.ensureTopics(kafka.bootstrapServers(), (short) 1);
            List<Keyed> heartbeats = new CopyOnWriteArrayList<>();
            List<Keyed> events = new CopyOnWriteArrayList<>();
            try (TopicTailer ignored = tail(kafka, Topics.HEARTBEATS, heartbeats);
                 TopicTailer ignoredToo = tail(kafka, Topics.EVENTS, events);
                 ManagerProcess manager = ManagerProcess.start(tmp.resolve("m1"),
                         settings("im-1", 3, primary.port(), primary.dataDir(), kafka), FreePorts.next())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> heartbeats(heartbeats, "im-1").stream()
                        .anyMatch(h -> h.isUp() && h.role() == Heartbeat.Role.PRIMARY));

                kafka.stop();
                await().atMost(FENCE.plusSeconds(30)).until(() -> !PostmasterCheck.isAlive(primary.dataDir()));
                assertThat(manager.log()).contains("cluster=im instance=im-1 SELF-FENCING");
                await().atMost(Duration.ofSeconds(10)).until(() -> manager.status("/primary") == 503);

                kafka.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> events.stream()
                        .map(k -> Json.read(k.value(), PlatformEvent.class))
                        .anyMatch(e -> e.type().equals(PlatformEvent.PREFIX + "instance.self-fenced") && "im-1".equals(e.instance())
                                && e.source().equals("/pgpilot/instance-manager")));
            }
        }
    }

    @Test
    void aPrimaryFrozenBySigstopIsKilledAndSaysSo() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres primary = TestPostgres.start(tmp.resolve("pg"), "im-1")) {
            EventBus.ensureTopics(kafka.bootstrapServers(), (short) 1);
            List<Keyed> heartbeats = new CopyOnWriteArrayList<>();
            List<Keyed> events = new CopyOnWriteArrayList<>();
            try (TopicTailer ignored = tail(kafka, Topics.HEARTBEATS, heartbeats);
                 TopicTailer ignoredToo = tail(kafka, Topics.EVENTS, events);
                 ManagerProcess manager = ManagerProcess.start(tmp.resolve("m1"),
                         settings("im-1", 1, primary.port(), primary.dataDir(), kafka), FreePorts.next())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> heartbeats(heartbeats, "im-1").stream()
                        .anyMatch(h -> h.isUp() && h.role() == Heartbeat.Role.PRIMARY));
                long postmaster = io.pgpilot.local.Processes.postmasterPid(primary.dataDir());
                List<Long> tree = new java.util.ArrayList<>(List.of(postmaster));
                ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> tree.add(d.pid())));
                List<String> stop = new java.util.ArrayList<>(List.of("kill", "-STOP"));
                tree.forEach(pid -> stop.add(Long.toString(pid)));
                new ProcessBuilder(stop).inheritIO().start().waitFor();
                // every process of the frozen primary is gone: it cannot run again, nor acknowledge anything
                await().atMost(Duration.ofSeconds(30)).until(() -> tree.stream()
                        .noneMatch(pid -> io.pgpilot.local.Processes.isRunning(pid)));
                assertThat(manager.log()).contains("cluster=im instance=im-1 primary FROZEN");
                await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                        .map(k -> Json.read(k.value(), PlatformEvent.class))
                        .anyMatch(e -> e.type().equals(PlatformEvent.PREFIX + "instance.killed-frozen") && "im-1".equals(e.instance())));
                await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats(heartbeats, "im-1").stream()
                        .anyMatch(h -> h.state() == Heartbeat.State.DOWN && !h.processAlive()));
            }
        }
    }

    @Test
    void aPrimaryThatLosesKafkaButStillStreamsToItsSynchronousStandbyKeepsServing() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             TestPostgres primary = TestPostgres.start(tmp.resolve("pg"), "im-1");
             Standby replica = Standby.of(primary, tmp.resolve("pg/im-2"), "im-2")) {
            try (Connection c = primary.connect()) {
                c.createStatement().execute("alter system set synchronous_standby_names = '\"im-2\"'");
                c.createStatement().execute("select pg_reload_conf()");
            }
            EventBus.ensureTopics(kafka.bootstrapServers(), (short) 1);
            List<Keyed> heartbeats = new CopyOnWriteArrayList<>();
            try (TopicTailer ignored = tail(kafka, Topics.HEARTBEATS, heartbeats);
                 ManagerProcess manager = ManagerProcess.start(tmp.resolve("m1"),
                         settings("im-1", 2, primary.port(), primary.dataDir(), kafka), FreePorts.next())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> heartbeats(heartbeats, "im-1").stream()
                        .anyMatch(h -> h.isUp() && h.standbys().stream().anyMatch(s -> "sync".equals(s.syncState()))));

                kafka.stop();
                Instant stopped = Instant.now();
                // the manager has kept probing well past the self-fence timeout without Kafka
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        manager.latest().observedAt().isAfter(stopped.plus(FENCE.multipliedBy(3))));
                assertThat(PostmasterCheck.isAlive(primary.dataDir())).isTrue();
                assertThat(manager.status("/primary")).isEqualTo(200);
                assertThat(manager.log()).doesNotContain("SELF-FENCING");
                try (Connection c = primary.connect()) {
                    c.createStatement().execute("create table still_writable(id int)"); // acknowledged by the sync standby
                }
                assertThat(streaming(primary)).isTrue();
            }
        }
    }
}
