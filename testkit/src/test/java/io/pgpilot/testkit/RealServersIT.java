package io.pgpilot.testkit;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.launcher.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RealServersIT {

    @TempDir
    Path tmp;

    @Test
    void kafkaBrokerCarriesRecordsAndCompactedStateIsReadFromTheBeginning() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startFresh(tmp.resolve("kafka"));
             EventBus bus = new EventBus(kafka.bootstrapServers(), "it", Duration.ofSeconds(5))) {
            bus.publish(Topics.SPECS, "a", Map.of("v", 1));
            bus.publish(Topics.SPECS, "b", Map.of("v", 2));
            bus.tombstone(Topics.SPECS, "b");
            Map<String, String> view = new ConcurrentHashMap<>();
            try (TopicTailer tailer = new TopicTailer(kafka.bootstrapServers(), "it-tail",
                    Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING),
                    (topic, key, value) -> {
                        if (value == null) view.remove(key); else view.put(key, value);
                    }).start()) {
                assertThat(tailer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(view).containsOnlyKeys("a");
                bus.publish(Topics.SPECS, "c", Map.of("v", 3));
                await().atMost(Duration.ofSeconds(10)).until(() -> view.containsKey("c"));
            }
        }
    }

    @Test
    void postgresRunsAsAnUnprivilegedUser() throws Exception {
        try (TestPostgres pg = TestPostgres.start(tmp.resolve("pg"), "one");
             var connection = pg.connect();
             var rs = connection.createStatement().executeQuery("select current_setting('server_version_num')::int")) {
            rs.next();
            assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(150000);
        }
    }
}
