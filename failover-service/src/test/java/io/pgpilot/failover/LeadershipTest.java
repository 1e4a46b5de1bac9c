package io.pgpilot.failover;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeadershipTest {

    @Test
    void aReplicaDecidesOnlyOnceCaughtUpAfterItsElection() {
        Leadership l = new Leadership();
        assertThat(l.state()).isEqualTo(Leadership.State.STANDBY);
        assertThat(l.active()).isFalse();
        long term = l.assigned();
        assertThat(l.state()).isEqualTo(Leadership.State.CATCHING_UP);
        assertThat(l.active()).isFalse();
        assertThat(l.caughtUp(term)).isTrue();
        assertThat(l.active()).isTrue();
        assertThat(l.activeIn(term)).isTrue();
    }

    @Test
    void revocationStopsDecisionsAtOnce() {
        Leadership l = new Leadership();
        long term = l.assigned();
        l.caughtUp(term);
        assertThat(l.revoked()).isTrue();
        assertThat(l.active()).isFalse();
        assertThat(l.activeIn(term)).isFalse();
        assertThat(l.revoked()).as("already a standby").isFalse();
    }

    @Test
    void aCatchUpThatFinishesAfterARevocationDoesNotActivate() {
        Leadership l = new Leadership();
        long first = l.assigned();
        l.revoked();
        assertThat(l.caughtUp(first)).isFalse();
        assertThat(l.state()).isEqualTo(Leadership.State.STANDBY);
        long second = l.assigned();
        assertThat(l.caughtUp(first)).as("the previous term's catch-up").isFalse();
        assertThat(l.caughtUp(second)).isTrue();
    }

    @Test
    void aCatchUpIsCountedOnce() {
        Leadership l = new Leadership();
        long term = l.assigned();
        assertThat(l.caughtUp(term)).isTrue();
        assertThat(l.caughtUp(term)).isFalse();
        assertThat(l.active()).isTrue();
    }
}
