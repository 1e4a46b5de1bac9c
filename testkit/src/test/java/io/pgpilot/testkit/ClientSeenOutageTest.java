package io.pgpilot.testkit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientSeenOutageTest {

    private static final long MS = 1_000_000L;

    private static AckedWriter.Ack ack(long ms, String server) {
        return new AckedWriter.Ack(ms, ms * MS, ms, server);
    }

    private static AckedWriter.Failure failure(long ms) {
        return new AckedWriter.Failure(ms * MS, ms, "08006", "closed");
    }

    @Test
    void spansFromTheLastAckBeforeTheFirstErrorToTheFirstAckAfterTheLastError() {
        // fault at 1000; one writer fails at 1100, another still commits on the new primary at 1400
        // while a third fails until 2000: clients saw 950 -> 2050
        List<AckedWriter.Ack> acks = List.of(ack(900, "a"), ack(950, "a"), ack(1400, "b"), ack(2050, "b"), ack(2060, "b"));
        List<AckedWriter.Failure> failures = List.of(failure(500), failure(1100), failure(2000));
        ClientSeenOutage outage = ClientSeenOutage.of(acks, failures, 1000 * MS, 1400 * MS);
        assertThat(outage.millis()).isEqualTo(1100);
        assertThat(outage.errors()).isEqualTo(2);
        assertThat(outage.lastAckBefore()).isEqualTo(950 * MS);
        assertThat(outage.firstAckAfter()).isEqualTo(2050 * MS);
    }

    @Test
    void withoutErrorsTheLongestPauseBetweenAcksUntilTheNewPrimary() {
        List<AckedWriter.Ack> acks = List.of(ack(990, "a"), ack(1010, "a"), ack(1300, "b"), ack(1310, "b"), ack(2000, "b"));
        ClientSeenOutage outage = ClientSeenOutage.of(acks, List.of(), 1000 * MS, 1300 * MS);
        assertThat(outage.millis()).isEqualTo(290);
        assertThat(outage.errors()).isZero();
    }
}
