package io.pgpilot.instance.fencing;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topics;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrimaryLeasesTest {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration TIMEOUT = Duration.ofSeconds(4);
    static final String KEY = Topics.instanceKey("c", "c-1");

    static Heartbeat primary(Instant at, String... standbyStates) {
        var standbys = java.util.Arrays.stream(standbyStates)
                .map(s -> new Heartbeat.StandbyStatus("x", s, "quorum", 0, 0, 0, 0)).toList();
        return new Heartbeat("c", "c-1", at, 1, Heartbeat.State.UP, true, Heartbeat.Role.PRIMARY, 1, 0, 0, 0, 0, 0,
                null, null, 0, 0, standbys, null, "uid-1", false);
    }

    static Heartbeat down(Instant at) {
        return new Heartbeat("c", "c-1", at, 2, Heartbeat.State.DOWN, false, Heartbeat.Role.UNKNOWN, 0, 0, 0, 0, 0, 0,
                null, null, 0, 0, List.of(), "gone", "uid-1", false);
    }

    @Test
    void aPrimaryNeverAcceptedByKafkaIsNeverDue() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.observed(primary(T0), 3);
        assertThat(leases.due(T0.plusSeconds(60), TIMEOUT)).isEmpty();
    }

    @Test
    void dueOnceNeitherKafkaNorAQuorumRenewedTheLeaseThenNotSignalledTwiceInARow() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.accepted(primary(T0));
        leases.observed(primary(T0.plusSeconds(3)), 3);
        assertThat(leases.due(T0.plusSeconds(4), TIMEOUT)).isEmpty();
        assertThat(leases.due(T0.plusSeconds(5), TIMEOUT)).containsExactly(KEY);
        leases.signalled(KEY, T0.plusSeconds(5));
        assertThat(leases.due(T0.plusSeconds(6), TIMEOUT)).isEmpty();
        assertThat(leases.due(T0.plusSeconds(10), TIMEOUT)).containsExactly(KEY);
    }

    @Test
    void aQuorumOfStreamingStandbysKeepsTheLeaseWithoutKafka() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.accepted(primary(T0));
        leases.observed(primary(T0.plusSeconds(8), "streaming"), 3);
        assertThat(leases.due(T0.plusSeconds(10), TIMEOUT)).isEmpty();
        leases.observed(primary(T0.plusSeconds(9), "startup"), 3);
        assertThat(leases.due(T0.plusSeconds(13), TIMEOUT)).containsExactly(KEY);
    }

    @Test
    void aDownInstanceOrAnotherIncarnationLosesItsLease() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.accepted(primary(T0));
        leases.observed(down(T0.plusSeconds(1)), 3);
        assertThat(leases.due(T0.plusSeconds(60), TIMEOUT)).isEmpty();

        leases.accepted(primary(T0));
        leases.retainIncarnations(Map.of(KEY, "uid-2"));
        assertThat(leases.due(T0.plusSeconds(60), TIMEOUT)).isEmpty();
    }
}
