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

    /** A primary whose standby "x" is in {@code standbyStates} with a reply time that advances every second of {@code at}. */
    static Heartbeat primary(Instant at, String... standbyStates) {
        return primaryHearing(at, at.toString(), standbyStates);
    }

    static Heartbeat primaryHearing(Instant at, String replyTime, String... standbyStates) {
        var standbys = java.util.Arrays.stream(standbyStates)
                .map(s -> new Heartbeat.StandbyStatus("x", s, "quorum", 0, 0, 0, 0, replyTime)).toList();
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

    /**
     * A standby behind a cut stays "streaming" in pg_stat_replication until wal_sender_timeout; its
     * replies stop at once, and the lease runs from its last reply, not from the lingering row.
     */
    @Test
    void aStreamingStandbyWhoseRepliesStoppedNoLongerKeepsTheLease() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.accepted(primary(T0));
        leases.observed(primaryHearing(T0.plusSeconds(1), "r1", "streaming"), 3);
        for (int s = 2; s <= 6; s++) {
            leases.observed(primaryHearing(T0.plusSeconds(s), "r1", "streaming"), 3); // the same reply, seen again
        }
        assertThat(leases.due(T0.plusSeconds(5), TIMEOUT)).isEmpty();
        assertThat(leases.due(T0.plusSeconds(6), TIMEOUT)).as("4 s after the standby's last reply").containsExactly(KEY);
        leases.observed(primaryHearing(T0.plusSeconds(7), "r2", "streaming"), 3);
        assertThat(leases.due(T0.plusSeconds(8), TIMEOUT)).as("a new reply renews the lease").isEmpty();
    }

    @Test
    void aStandbyThatNeverRepliedDoesNotCount() {
        PrimaryLeases leases = new PrimaryLeases();
        leases.accepted(primary(T0));
        leases.observed(primaryHearing(T0.plusSeconds(3), null, "streaming"), 3);
        assertThat(leases.due(T0.plusSeconds(5), TIMEOUT)).containsExactly(KEY);
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
