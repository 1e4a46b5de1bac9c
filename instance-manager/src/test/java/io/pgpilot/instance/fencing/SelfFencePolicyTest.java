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
    void aMajorityWasLastHeardWhenTheKthMostRecentStandbyAnswered() {
        Instant a = NOW.minusSeconds(1);
        Instant b = NOW.minusSeconds(6);
        assertThat(SelfFencePolicy.quorumSeenAt(List.of(b, a), 3, NOW)).as("one standby is a majority of three").isEqualTo(a);
        assertThat(SelfFencePolicy.quorumSeenAt(List.of(), 3, NOW)).as("nobody answers").isNull();
        assertThat(SelfFencePolicy.quorumSeenAt(List.of(), 1, NOW)).as("a single instance is its own majority").isEqualTo(NOW);
        assertThat(SelfFencePolicy.quorumSeenAt(List.of(a, b), 5, NOW)).as("five need two standbys: the older").isEqualTo(b);
        assertThat(SelfFencePolicy.quorumSeenAt(List.of(a), 4, NOW)).as("four need two standbys").isNull();
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
