package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveStatusTest {

    @Test
    void eventsOnlyOnStateChanges() {
        ArchiveStatus status = new ArchiveStatus("pc");
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        assertThat(status.success(t, "A", false)).isEmpty();
        assertThat(status.failure(t, "down", false)).contains(ArchiveStatus.Transition.FAILING);
        assertThat(status.failure(t, "down", false)).isEmpty();
        assertThat(status.failure(t, "conflict", true)).isEmpty();
        assertThat(status.success(t.plusSeconds(5), "B", true)).contains(ArchiveStatus.Transition.RECOVERED);
        assertThat(status.success(t, "C", false)).isEmpty();
        var s = status.snapshot();
        assertThat(s.archived()).isEqualTo(2);
        assertThat(s.alreadyArchived()).isEqualTo(1);
        assertThat(s.failed()).isEqualTo(3);
        assertThat(s.conflicts()).isEqualTo(1);
        assertThat(s.lastArchivedWal()).isEqualTo("C");
        assertThat(s.failing()).isFalse();
    }
}
