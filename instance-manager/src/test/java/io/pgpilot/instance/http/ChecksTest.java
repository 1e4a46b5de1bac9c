package io.pgpilot.instance.http;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.instance.http.Checks.Check;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChecksTest {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration MAX_AGE = Duration.ofSeconds(3);

    static Heartbeat heartbeat(Heartbeat.State state, Heartbeat.Role role, Instant at) {
        return new Heartbeat("c", "c-1", at, 1, state, true, role, 1, 0, 0, 0, 0, 0, null, null, 0, 0, List.of(),
                null, "uid", false);
    }

    @Test
    void aFreshPrimaryAnswersPrimaryAndHealthButNotReplica() {
        Heartbeat h = heartbeat(Heartbeat.State.UP, Heartbeat.Role.PRIMARY, NOW.minusSeconds(1));
        assertThat(Checks.status(Check.PRIMARY, h, NOW, MAX_AGE)).isEqualTo(200);
        assertThat(Checks.status(Check.HEALTH, h, NOW, MAX_AGE)).isEqualTo(200);
        assertThat(Checks.status(Check.REPLICA, h, NOW, MAX_AGE)).isEqualTo(503);
    }

    @Test
    void aFreshReplicaAnswersReplicaAndHealthButNotPrimary() {
        Heartbeat h = heartbeat(Heartbeat.State.UP, Heartbeat.Role.REPLICA, NOW);
        assertThat(Checks.status(Check.REPLICA, h, NOW, MAX_AGE)).isEqualTo(200);
        assertThat(Checks.status(Check.HEALTH, h, NOW, MAX_AGE)).isEqualTo(200);
        assertThat(Checks.status(Check.PRIMARY, h, NOW, MAX_AGE)).isEqualTo(503);
    }

    @Test
    void staleMissingOrDownIsUnavailableForEveryCheck() {
        Heartbeat stale = heartbeat(Heartbeat.State.UP, Heartbeat.Role.PRIMARY, NOW.minusSeconds(4));
        Heartbeat down = heartbeat(Heartbeat.State.UNREACHABLE, Heartbeat.Role.UNKNOWN, NOW);
        for (Check check : Check.values()) {
            assertThat(Checks.status(check, stale, NOW, MAX_AGE)).isEqualTo(503);
            assertThat(Checks.status(check, down, NOW, MAX_AGE)).isEqualTo(503);
            assertThat(Checks.status(check, null, NOW, MAX_AGE)).isEqualTo(503);
        }
    }

    @Test
    void onlyTheThreePathsAreChecks() {
        assertThat(Check.ofPath("/primary")).contains(Check.PRIMARY);
        assertThat(Check.ofPath("/replica")).contains(Check.REPLICA);
        assertThat(Check.ofPath("/health")).contains(Check.HEALTH);
        assertThat(Check.ofPath("/metrics")).isEmpty();
        assertThat(Check.ofPath("/primary/")).isEmpty();
    }
}
