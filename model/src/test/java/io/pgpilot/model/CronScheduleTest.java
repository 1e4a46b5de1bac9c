package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {

    static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void dailyAtMidnightLikeCloudNativePgsExample() {
        CronSchedule daily = CronSchedule.parse("0 0 0 * * *");
        assertThat(daily.next(t("2026-11-25T10:15:30Z"))).isEqualTo(t("2026-11-26T00:00:00Z"));
        // strictly after: a fire time itself gives the next one
        assertThat(daily.next(t("2026-11-26T00:00:00Z"))).isEqualTo(t("2026-11-27T00:00:00Z"));
        assertThat(CronSchedule.parse("@daily").next(t("2026-12-31T23:59:59.9Z"))).isEqualTo(t("2027-01-01T00:00:00Z"));
    }

    @Test
    void stepsRangesListsAndNames() {
        assertThat(CronSchedule.parse("*/15 * * * * *").next(t("2026-01-01T00:00:14Z"))).isEqualTo(t("2026-01-01T00:00:15Z"));
        assertThat(CronSchedule.parse("0 30 2-4/2 * * *").next(t("2026-01-01T02:30:00Z"))).isEqualTo(t("2026-01-01T04:30:00Z"));
        assertThat(CronSchedule.parse("0 0 12 * * MON-FRI").next(t("2026-11-27T13:00:00Z"))) // Friday afternoon -> Monday
                .isEqualTo(t("2026-11-30T12:00:00Z"));
        assertThat(CronSchedule.parse("0 0 0 1 jan,jul ?").next(t("2026-02-01T00:00:00Z"))).isEqualTo(t("2026-07-01T00:00:00Z"));
        assertThat(CronSchedule.parse("0 0 0 * * 7").next(t("2026-11-25T00:00:00Z"))).isEqualTo(t("2026-11-29T00:00:00Z"));
        assertThat(CronSchedule.parse("5/20 * * * * *").next(t("2026-01-01T00:00:06Z"))).isEqualTo(t("2026-01-01T00:00:25Z"));
    }

    @Test
    void bothDayFieldsRestrictedMeansEither() {
        // the 13th or any Friday
        CronSchedule s = CronSchedule.parse("0 0 0 13 * FRI");
        assertThat(s.next(t("2026-11-01T00:00:00Z"))).isEqualTo(t("2026-11-06T00:00:00Z"));
        assertThat(s.next(t("2026-11-10T00:00:00Z"))).isEqualTo(t("2026-11-13T00:00:00Z"));
    }

    @Test
    void leapDayAndMonthEnds() {
        assertThat(CronSchedule.parse("0 0 0 29 2 *").next(t("2026-03-01T00:00:00Z"))).isEqualTo(t("2028-02-29T00:00:00Z"));
        assertThat(CronSchedule.parse("0 0 0 31 * *").next(t("2026-04-01T00:00:00Z"))).isEqualTo(t("2026-05-31T00:00:00Z"));
    }

    @Test
    void invalidExpressionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * *")).hasMessageContaining("has 5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("60 0 0 * * *")).hasMessageContaining("60 is outside 0-59");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 30 2 *")).hasMessageContaining("never fires");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 5-2 * * *")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 * * FOO")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 * * 1;rm")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * * *")).hasMessageContaining("outside");
        assertThatThrownBy(() -> CronSchedule.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
