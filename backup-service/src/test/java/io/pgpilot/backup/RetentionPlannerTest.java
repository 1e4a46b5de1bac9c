package io.pgpilot.backup;

import io.pgpilot.backup.RetentionPlanner.Backup;
import io.pgpilot.backup.RetentionPlanner.WalObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionPlannerTest {

    static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
    static final Duration WINDOW = Duration.ofDays(7); // window starts 2026-11-23T00:00Z

    static Backup done(String id, String beginWal, String end) {
        return new Backup(id, "DONE", beginWal, Instant.parse(end));
    }

    static WalObject wal(String name, String time) {
        return new WalObject("p/srv/wals/" + name.substring(0, 16) + "/" + name + ".gz", Instant.parse(time));
    }

    static final List<Backup> BACKUPS = List.of(
            done("20261110T000000", "000000010000000000000002", "2026-11-10T00:10:00Z"),
            new Backup("20261115T000000", "FAILED", null, Instant.parse("2026-11-15T00:10:00Z")),
            done("20261120T000000", "000000010000000000000010", "2026-11-20T00:10:00Z"),
            done("20261125T000000", "000000010000000000000020", "2026-11-25T00:10:00Z"));

    @Test
    void keepsEverythingInsideTheWindowAndTheNewestBackupBeforeItWithItsWal() {
        var plan = RetentionPlanner.plan(BACKUPS, List.of(
                wal("000000010000000000000001", "2026-11-09T00:00:00Z"),
                wal("00000001000000000000000F", "2026-11-19T00:00:00Z"),
                wal("000000010000000000000010", "2026-11-20T00:00:00Z"),
                wal("000000010000000000000011", "2026-11-21T00:00:00Z"),
                wal("000000010000000000000021", "2026-11-26T00:00:00Z")), NOW, WINDOW);
        assertThat(plan.keptAnchor()).isEqualTo("20261120T000000");
        assertThat(plan.deleteBackups()).containsExactly("20261110T000000", "20261115T000000");
        assertThat(plan.deleteWal()).containsExactly("p/srv/wals/0000000100000000/000000010000000000000001.gz",
                "p/srv/wals/0000000100000000/00000001000000000000000F.gz");
    }

    @Test
    void nothingWrittenInsideTheWindowIsEverDeletedEvenWhenOlderThanTheBase() {
        // a WAL name below the base's begin WAL but written inside the window (e.g. a late .partial from a standby)
        var plan = RetentionPlanner.plan(BACKUPS, List.of(wal("000000010000000000000003", "2026-11-24T00:00:00Z")), NOW, WINDOW);
        assertThat(plan.deleteWal()).isEmpty();
    }

    @Test
    void historyFilesAndUnknownObjectsStay() {
        var plan = RetentionPlanner.plan(BACKUPS, List.of(new WalObject("p/srv/wals/00000002.history.gz", Instant.parse("2026-11-01T00:00:00Z")),
                new WalObject("p/srv/wals/README", Instant.parse("2026-11-01T00:00:00Z"))), NOW, WINDOW);
        assertThat(plan.deleteWal()).isEmpty();
    }

    @Test
    void partialsAndBackupLabelsGoWithTheirSegment() {
        var plan = RetentionPlanner.plan(BACKUPS, List.of(
                new WalObject("p/srv/wals/0000000100000000/000000010000000000000005.partial.gz", Instant.parse("2026-11-01T00:00:00Z")),
                new WalObject("p/srv/wals/0000000100000000/000000010000000000000005.00000028.backup.gz", Instant.parse("2026-11-01T00:00:00Z")),
                new WalObject("p/srv/wals/0000000100000000/000000010000000000000010.00000028.backup.gz", Instant.parse("2026-11-01T00:00:00Z"))),
                NOW, WINDOW);
        assertThat(plan.deleteWal()).hasSize(2).noneMatch(k -> k.contains("000000010000000000000010"));
    }

    @Test
    void noCompleteBackupBeforeTheWindowMeansNothingIsDeleted() {
        var inside = List.of(done("20261125T000000", "000000010000000000000020", "2026-11-25T00:10:00Z"),
                new Backup("20261101T000000", "FAILED", null, Instant.parse("2026-11-01T00:10:00Z")));
        var plan = RetentionPlanner.plan(inside, List.of(wal("000000010000000000000001", "2026-11-01T00:00:00Z")), NOW, WINDOW);
        assertThat(plan.empty()).isTrue();
        assertThat(RetentionPlanner.plan(List.of(), List.of(wal("000000010000000000000001", "2026-11-01T00:00:00Z")), NOW, WINDOW).empty())
                .isTrue();
        assertThat(RetentionPlanner.plan(BACKUPS, List.of(), NOW, null).empty()).as("no window: keep forever").isTrue();
    }

    @Test
    void aBackupEndingExactlyAtTheWindowStartIsInside() {
        var plan = RetentionPlanner.plan(List.of(done("20261110T000000", "000000010000000000000002", "2026-11-10T00:10:00Z"),
                done("20261123T000000", "000000010000000000000030", "2026-11-23T00:00:00Z")), List.of(), NOW, WINDOW);
        assertThat(plan.keptAnchor()).isEqualTo("20261110T000000");
        assertThat(plan.deleteBackups()).isEmpty();
    }

    @Test
    void unfinishedBackupsAreNeverDeleted() {
        var plan = RetentionPlanner.plan(List.of(new Backup("20261101T000000", "STARTED", null, null),
                done("20261120T000000", "000000010000000000000010", "2026-11-20T00:10:00Z")), List.of(), NOW, WINDOW);
        assertThat(plan.deleteBackups()).isEmpty();
    }

    @Test
    void aBackupWhoseObjectsWereWrittenInsideTheWindowIsKeptWhateverItsBackupInfoSays() {
        Instant inside = NOW.minus(Duration.ofDays(1));
        var plan = RetentionPlanner.plan(List.of(
                new Backup("20200101T000000", "DONE", "000000010000000000000001", Instant.parse("2020-01-01T00:10:00Z"), inside),
                new Backup("20200201T000000", "DONE", "000000010000000000000005", Instant.parse("2020-02-01T00:10:00Z"), null),
                new Backup("20200301T000000", "DONE", "000000010000000000000009", Instant.parse("2020-03-01T00:10:00Z"),
                        Instant.parse("2020-03-01T00:10:00Z"))), List.of(), NOW, WINDOW);
        assertThat(plan.keptAnchor()).isEqualTo("20200301T000000");
        assertThat(plan.deleteBackups()).containsExactly("20200201T000000");
    }
}
