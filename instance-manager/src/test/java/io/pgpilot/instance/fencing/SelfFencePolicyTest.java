package io.pgpilot.instance.fencing;

import io.pgpilot.events.Heartbeat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SelfFencePolicyTest {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(4);

    static Heartbeat primaryWith(String... standbyStates) {
        var standbys = java.util.Arrays.stream(standbyStates)
                .map(s -> new Heartbeat.StandbyStatus("x", s, "quorum", 0, 0, 0, 0)).toList();
        return new Heartbeat("c", "c-1", NOW, 1, Heartbeat.State.UP, true, Heartbeat.Role.PRIMARY, 1, 0, 0, 0, 0, 0,
                null, null, 0, 0, standbys, null);
    }

    @Test
    void quorumCountsThePrimaryItselfAndStreamingStandbys() {
        assertThat(SelfFencePolicy.hasQuorum(primaryWith("streaming"), 3)).isTrue();
        assertThat(SelfFencePolicy.hasQuorum(primaryWith("catchup"), 3)).isFalse();
        assertThat(SelfFencePolicy.hasQuorum(primaryWith(), 3)).isFalse();
        assertThat(SelfFencePolicy.hasQuorum(primaryWith(), 1)).as("a single instance is its own majority").isTrue();
        assertThat(SelfFencePolicy.hasQuorum(primaryWith("streaming"), 4)).isFalse();
    }

    @Test
    void kafkaLostButReplicasSeenKeepsServing() {
        var lease = new SelfFencePolicy.PrimaryLease(NOW.minusSeconds(30), primaryWith("streaming", "streaming"), NOW.minusMillis(500));
        assertThat(SelfFencePolicy.mustFence(lease, NOW, TIMEOUT)).isFalse();
    }

    @Test
    void replicasLostButKafkaAcceptsKeepsServing() {
        var lease = new SelfFencePolicy.PrimaryLease(NOW.minusSeconds(1), primaryWith(), NOW.minusSeconds(30));
        assertThat(SelfFencePolicy.mustFence(lease, NOW, TIMEOUT)).isFalse();
    }

    @Test
    void isolatedFromBothFencesAfterTheTimeout() {
        var lease = new SelfFencePolicy.PrimaryLease(NOW.minusSeconds(5), null, NOW.minusSeconds(5));
        assertThat(SelfFencePolicy.mustFence(lease, NOW, TIMEOUT)).isTrue();
        var young = new SelfFencePolicy.PrimaryLease(NOW.minusSeconds(3), null, NOW.minusSeconds(3));
        assertThat(SelfFencePolicy.mustFence(young, NOW, TIMEOUT)).isFalse();
    }

    @Test
    void neverConfirmedPrimaryIsNotFenced() {
        assertThat(SelfFencePolicy.mustFence(new SelfFencePolicy.PrimaryLease(null, null, null), NOW, TIMEOUT)).isFalse();
    }
}
