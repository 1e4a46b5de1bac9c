package io.pgpilot.health;

import io.pgpilot.events.InstanceRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatLoopTest {

    private static InstanceRecord at(String host) {
        return new InstanceRecord("pg", "pg-1", 1, host, 15432, "/data", InstanceRecord.Phase.RUNNING, Instant.EPOCH, "primary");
    }

    @Test
    void onlyLoopbackInstancesHaveTheirProcessCheckedAndFencedFromHere() {
        assertThat(HeartbeatLoop.onThisHost(at("127.0.0.1"))).isTrue();
        assertThat(HeartbeatLoop.onThisHost(at("localhost"))).isTrue();
        assertThat(HeartbeatLoop.onThisHost(at(null))).isTrue();
        assertThat(HeartbeatLoop.onThisHost(at("10.0.1.12"))).isFalse();
    }
}
