package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetTimeTest {

    @Test
    void rfc3339AndPostgresFormsWithAnOffset() {
        Instant expected = Instant.parse("2026-11-25T09:15:30.250Z");
        assertThat(TargetTime.parse("2026-11-25T09:15:30.25Z")).isEqualTo(expected);
        assertThat(TargetTime.parse("2026-11-25T10:15:30.250+01:00")).isEqualTo(expected);
        assertThat(TargetTime.parse("2026-11-25 10:15:30.250000+01")).isEqualTo(expected);
        assertThat(TargetTime.parse("2026-11-25 10:15:30.25+0100")).isEqualTo(expected);
        assertThat(TargetTime.postgres(expected)).isEqualTo("2026-11-25 09:15:30.250000+00");
    }

    @Test
    void noOffsetOrGarbageIsRefused() {
        assertThatThrownBy(() -> TargetTime.parse("2026-11-25 10:15:30")).hasMessageContaining("offset");
        assertThatThrownBy(() -> TargetTime.parse("yesterday")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TargetTime.parse("2026-13-25T10:15:30Z")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TargetTime.parse("2026-11-25T10:15:30Z'; DROP")).isInstanceOf(IllegalArgumentException.class);
    }
}
