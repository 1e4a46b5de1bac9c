package io.pgpilot.instance.heartbeat;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.instance.probe.ProbeResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatAssemblerTest {

    private static ProbeResult.Reachable primary(long lsn) {
        return new ProbeResult.Reachable(false, 2, lsn, 0, 0, 0, null, null, 5, 100, List.of());
    }

    private static ProbeResult.Reachable replica(long received, long replayed, double age) {
        return new ProbeResult.Reachable(true, 2, 0, received, replayed, age, "streaming", "127.0.0.1:5432", 1, 7, List.of());
    }

    @Test
    void replicaLagIsMeasuredAgainstThePrimaryOfTheSameRound() {
        Map<String, Long> sequences = new HashMap<>();
        List<Heartbeat> beats = HeartbeatAssembler.assemble("c", List.of(
                new HeartbeatAssembler.Observation("c-1", true, primary(1000)),
                new HeartbeatAssembler.Observation("c-2", true, replica(1000, 1000, 12.0)),
                new HeartbeatAssembler.Observation("c-3", true, replica(900, 800, 1.5))), Instant.EPOCH, sequences);

        assertThat(beats).extracting(Heartbeat::role)
                .containsExactly(Heartbeat.Role.PRIMARY, Heartbeat.Role.REPLICA, Heartbeat.Role.REPLICA);
        assertThat(beats.get(1).lagBytes()).isZero();
        assertThat(beats.get(1).lagSeconds()).as("idle but fully replayed replica has no lag").isZero();
        assertThat(beats.get(2).lagBytes()).isEqualTo(200);
        assertThat(beats.get(2).lagSeconds()).isEqualTo(1.5);
        assertThat(beats.get(0).timeline()).isEqualTo(2);
        assertThat(beats).extracting(Heartbeat::sequence).containsOnly(1L);
    }

    @Test
    void aDeadProcessIsDownAndAFrozenOneIsUnreachable() {
        List<Heartbeat> beats = HeartbeatAssembler.assemble("c", List.of(
                new HeartbeatAssembler.Observation("c-1", false, new ProbeResult.Unreachable("connection refused")),
                new HeartbeatAssembler.Observation("c-2", true, new ProbeResult.Unreachable("timeout"))),
                Instant.EPOCH, new HashMap<>());
        assertThat(beats).extracting(Heartbeat::state).containsExactly(Heartbeat.State.DOWN, Heartbeat.State.UNREACHABLE);
        assertThat(beats).extracting(Heartbeat::role).containsOnly(Heartbeat.Role.UNKNOWN);
    }

    @Test
    void sequencesGrowPerInstance() {
        Map<String, Long> sequences = new HashMap<>();
        var observation = List.of(new HeartbeatAssembler.Observation("c-1", true, primary(1)));
        HeartbeatAssembler.assemble("c", observation, Instant.EPOCH, sequences);
        assertThat(HeartbeatAssembler.assemble("c", observation, Instant.EPOCH, sequences).getFirst().sequence()).isEqualTo(2);
    }
}
