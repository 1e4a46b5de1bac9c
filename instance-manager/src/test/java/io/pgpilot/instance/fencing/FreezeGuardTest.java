package io.pgpilot.instance.fencing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FreezeGuardTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    @Test
    void killsOnlyAfterBeingSeenFrozenForTheWholeDelay() {
        FreezeGuard guard = new FreezeGuard(Duration.ofSeconds(1));
        assertThat(guard.mustKill("c/c-1", true, T0)).isFalse();
        assertThat(guard.frozenFor("c/c-1", T0.plusMillis(500))).isEqualTo(Duration.ofMillis(500));
        assertThat(guard.mustKill("c/c-1", true, T0.plusMillis(900))).isFalse();
        assertThat(guard.mustKill("c/c-1", true, T0.plusMillis(1000))).isTrue();
    }

    @Test
    void anAnswerOrARunningPostmasterStartsTheCountAgain() {
        FreezeGuard guard = new FreezeGuard(Duration.ofSeconds(1));
        guard.mustKill("c/c-1", true, T0);
        assertThat(guard.mustKill("c/c-1", false, T0.plusMillis(800))).isFalse();
        assertThat(guard.mustKill("c/c-1", true, T0.plusMillis(1200))).isFalse();
        assertThat(guard.mustKill("c/c-1", true, T0.plusMillis(2200))).isTrue();
    }

    @Test
    void zeroDisablesIt() {
        FreezeGuard guard = new FreezeGuard(Duration.ZERO);
        assertThat(guard.enabled()).isFalse();
        assertThat(guard.mustKill("c/c-1", true, T0)).isFalse();
        assertThat(guard.mustKill("c/c-1", true, T0.plusSeconds(60))).isFalse();
    }
}
