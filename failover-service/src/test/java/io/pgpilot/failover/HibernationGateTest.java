package io.pgpilot.failover;

import io.pgpilot.events.Heartbeat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HibernationGateTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    private static Heartbeat primary(Instant at, boolean up) {
        return new Heartbeat("c", "c-1", at, 1, up ? Heartbeat.State.UP : Heartbeat.State.DOWN, up,
                up ? Heartbeat.Role.PRIMARY : Heartbeat.Role.UNKNOWN, 1, 0, 0, 0, 0, 0, null, null, 0, 0, List.of(), null);
    }

    @Test
    void aHibernatedClusterIsNeverDecidedFor() {
        HibernationGate gate = new HibernationGate(Duration.ofSeconds(60));
        assertThat(gate.decides("c", primary(T0, false), T0)).isTrue();
        gate.spec("c", true, T0);
        assertThat(gate.hibernated("c")).isTrue();
        assertThat(gate.decides("c", primary(T0.plusSeconds(5), false), T0.plusSeconds(600))).isFalse();
    }

    @Test
    void wakingUpWaitsForThePrimaryOrTheGrace() {
        HibernationGate gate = new HibernationGate(Duration.ofSeconds(60));
        gate.spec("c", true, T0);
        gate.spec("c", false, T0.plusSeconds(100));
        // its last heartbeats say down: from before the wake-up, they decide nothing
        assertThat(gate.decides("c", primary(T0.plusSeconds(101), false), T0.plusSeconds(102))).isFalse();
        assertThat(gate.decides("c", primary(T0.plusSeconds(103), true), T0.plusSeconds(103))).isTrue();
        // and from then on, normal decisions
        assertThat(gate.decides("c", primary(T0.plusSeconds(104), false), T0.plusSeconds(104))).isTrue();
    }

    @Test
    void aPrimaryThatDoesNotComeBackIsFailedOverAfterTheGrace() {
        HibernationGate gate = new HibernationGate(Duration.ofSeconds(60));
        gate.spec("c", true, T0);
        gate.spec("c", false, T0.plusSeconds(100));
        assertThat(gate.decides("c", null, T0.plusSeconds(159))).isFalse();
        assertThat(gate.decides("c", null, T0.plusSeconds(160))).isTrue();
    }

    @Test
    void aClusterThatWasNeverHibernatedIsNotWaking() {
        HibernationGate gate = new HibernationGate(Duration.ofSeconds(60));
        gate.spec("c", false, T0);
        assertThat(gate.decides("c", primary(T0, false), T0)).isTrue();
    }
}
