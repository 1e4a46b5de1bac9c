package io.pgpilot.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimesTest {

    @Test
    void theSeedsFormWithoutAZoneIsUtc() {
        assertThat(Times.target("2024-02-01 14:30:00", null)).isEqualTo(Instant.parse("2024-02-01T14:30:00Z"));
        assertThat(Times.target("2024-02-01T14:30:00", null)).isEqualTo(Instant.parse("2024-02-01T14:30:00Z"));
        assertThat(Times.target("2024-02-01 14:30", null)).isEqualTo(Instant.parse("2024-02-01T14:30:00Z"));
        assertThat(Times.target(" 2024-02-01 14:30:00.25 ", null)).isEqualTo(Instant.parse("2024-02-01T14:30:00.250Z"));
    }

    @Test
    void timezoneAppliesToATimeWithoutOne() {
        // Paris is UTC+1 in February, UTC+2 in July
        assertThat(Times.target("2024-02-01 14:30:00", "Europe/Paris")).isEqualTo(Instant.parse("2024-02-01T13:30:00Z"));
        assertThat(Times.target("2024-07-01 14:30:00", "Europe/Paris")).isEqualTo(Instant.parse("2024-07-01T12:30:00Z"));
        assertThat(Times.target("2024-02-01 14:30:00", "-05:00")).isEqualTo(Instant.parse("2024-02-01T19:30:00Z"));
        assertThat(Times.target("2024-02-01 14:30:00", "UTC")).isEqualTo(Instant.parse("2024-02-01T14:30:00Z"));
    }

    @Test
    void aTimeWithAnOffsetIsTakenAsWritten() {
        assertThat(Times.target("2024-02-01T14:30:00Z", null)).isEqualTo(Instant.parse("2024-02-01T14:30:00Z"));
        assertThat(Times.target("2024-02-01 14:30:00+01", null)).isEqualTo(Instant.parse("2024-02-01T13:30:00Z"));
        assertThat(Times.target("2024-02-01T14:30:00+01:00", null)).isEqualTo(Instant.parse("2024-02-01T13:30:00Z"));
    }

    @Test
    void mistakesAreUsageErrorsNamingTheOption() {
        assertThatThrownBy(() -> Times.target("2024-02-01T14:30:00Z", "Europe/Paris"))
                .isInstanceOf(Exit.CliException.class).hasMessageContaining("--timezone").hasMessageContaining("own offset");
        assertThatThrownBy(() -> Times.target("yesterday", null)).hasMessageContaining("--target-time").hasMessageContaining("2024-02-01 14:30:00");
        assertThatThrownBy(() -> Times.target("2024-02-30 14:30:00", null)).hasMessageContaining("not a valid date");
        assertThatThrownBy(() -> Times.target("2024-02-01 14:30:00", "Mars/Olympus")).hasMessageContaining("--timezone");
        assertThatThrownBy(() -> Times.target("", null)).hasMessageContaining("empty");
        assertThat(((Exit.CliException) org.assertj.core.api.Assertions.catchThrowable(() -> Times.target("x", null))).code()).isEqualTo(Exit.USAGE);
    }
}
