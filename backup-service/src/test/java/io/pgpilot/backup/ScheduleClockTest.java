package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleClockTest {

    private static final String EVERY_MINUTE = "0 * * * * *";

    @Test
    void firstSightOnlyPlansThenFiresOncePerTime() {
        ScheduleClock clock = new ScheduleClock();
        Instant t0 = Instant.parse("2026-12-01T10:00:30Z");
        assertThat(clock.due("odoo", EVERY_MINUTE, t0)).isFalse();
        assertThat(clock.nextFireTimes()).containsEntry("odoo", Instant.parse("2026-12-01T10:01:00Z"));
        assertThat(clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:00:59Z"))).isFalse();
        assertThat(clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:01:00Z"))).isTrue();
        assertThat(clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:01:01Z"))).isFalse();
    }

    @Test
    void aMissedTimeIsNotMadeUpTwice() {
        ScheduleClock clock = new ScheduleClock();
        clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:00:30Z"));
        assertThat(clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:05:10Z"))).isTrue();
        assertThat(clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:05:20Z"))).isFalse();
        assertThat(clock.nextFireTimes()).containsEntry("odoo", Instant.parse("2026-12-01T10:06:00Z"));
    }

    @Test
    void aChangedExpressionRestartsAndGoneSchedulesAreForgotten() {
        ScheduleClock clock = new ScheduleClock();
        clock.due("odoo", EVERY_MINUTE, Instant.parse("2026-12-01T10:00:30Z"));
        clock.due("scheduledbackup/daily", "0 0 0 * * *", Instant.parse("2026-12-01T10:00:30Z"));
        assertThat(clock.due("odoo", "0 30 * * * *", Instant.parse("2026-12-01T10:02:00Z"))).isFalse();
        assertThat(clock.nextFireTimes()).containsEntry("odoo", Instant.parse("2026-12-01T10:30:00Z"));
        clock.retain(Set.of("odoo"));
        assertThat(clock.nextFireTimes()).containsOnlyKeys("odoo");
        assertThat(clock.planned("scheduledbackup/daily")).isFalse();
    }
}
