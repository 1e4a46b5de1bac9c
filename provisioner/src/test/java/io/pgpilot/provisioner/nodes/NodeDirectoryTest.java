package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.provisioner.placement.NodeView;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeDirectoryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static NodeRecord record(String name, Instant heartbeatAt) {
        return new NodeRecord(name, "10.0.0.1", "z1", Map.of(), 4, T0, heartbeatAt);
    }

    @Test
    void lastSeenIsTheLocalTimeANewHeartbeatWasFirstSeenNotTheNodesClock() {
        Map<String, NodeRecord> records = new HashMap<>();
        MutableClock clock = new MutableClock(T0);
        NodeDirectory directory = new NodeDirectory(() -> records, clock, null);
        Instant nodeClockAhead = T0.plus(Duration.ofHours(1));
        records.put("a", record("a", nodeClockAhead));

        assertThat(directory.views()).containsExactly(new NodeView("a", "z1", 4, T0));
        clock.now = T0.plusSeconds(10); // no new heartbeat: still the first sighting
        assertThat(directory.views().getFirst().lastSeen()).isEqualTo(T0);
        records.put("a", record("a", nodeClockAhead.plusSeconds(1)));
        assertThat(directory.views().getFirst().lastSeen()).isEqualTo(T0.plusSeconds(10));
        assertThat(directory.record("a")).map(NodeRecord::address).contains("10.0.0.1");
        assertThat(directory.record("b")).isEmpty();
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
