package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BackupInfoTest {

    static final BackupInfo INFO = new BackupInfo("20261125T101530", BackupInfo.DONE, 150010, "/var/lib/pg/data", 1,
            Instant.parse("2026-11-25T10:15:30.123456Z"), "0/2000028", "000000010000000000000002", 40,
            Instant.parse("2026-11-25T10:15:40Z"), "0/2000100", "000000010000000000000002", 256, 31_000_000,
            "7311111111111111111", 16L * 1024 * 1024, "gzip", null, "cloud");

    @Test
    void rendersBarmansSortedKeyValueFormat() {
        String text = new String(INFO.render(), StandardCharsets.UTF_8);
        assertThat(text).contains("begin_time=2026-11-25 10:15:30.123456+00:00\n", "end_time=2026-11-25 10:15:40.000000+00:00\n",
                "begin_wal=000000010000000000000002\n", "begin_xlog=0/2000028\n", "end_xlog=0/2000100\n", "status=DONE\n",
                "version=150010\n", "timeline=1\n", "tablespaces=None\n", "backup_label=None\n", "xlog_segment_size=16777216\n",
                "systemid=7311111111111111111\n", "server_name=cloud\n", "compression=gzip\n", "error=None\n");
        var names = text.lines().map(l -> l.substring(0, l.indexOf('='))).toList();
        assertThat(names).isSorted();
    }

    @Test
    void parsesWhatItWritesAndWhatBarmanWrites() {
        assertThat(BackupInfo.parse(INFO.backupId(), INFO.render())).isEqualTo(INFO);
        String barman = """
                backup_label='START WAL LOCATION: 0/4000028 (file 000000010000000000000004)\\n'
                begin_offset=40
                begin_time=2026-11-25 11:00:00+01:00
                begin_wal=000000010000000000000004
                begin_xlog=0/4000028
                compression=None
                copy_stats={'copy_time': 0.5, 'total_time': 0.6}
                end_time=2026-11-25 11:00:05.5+01:00
                end_wal=000000010000000000000004
                end_xlog=0/4000138
                status=DONE
                timeline=1
                version=150010
                """;
        BackupInfo parsed = BackupInfo.parse("20261125T100000", barman.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.done()).isTrue();
        assertThat(parsed.beginTime()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(parsed.endTime()).isEqualTo(Instant.parse("2026-11-25T10:00:05.5Z"));
        assertThat(parsed.compression()).isNull();
        assertThat(parsed.xlogSegmentSize()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void walPositions() {
        long seg = 16L * 1024 * 1024;
        assertThat(WalPosition.segmentOf(1, WalPosition.parseLsn("0/2000028"), seg)).isEqualTo("000000010000000000000002");
        assertThat(WalPosition.segmentEnding(1, WalPosition.parseLsn("0/3000000"), seg)).isEqualTo("000000010000000000000002");
        assertThat(WalPosition.segmentEnding(2, WalPosition.parseLsn("1/A3000100"), seg)).isEqualTo("0000000200000001000000A3");
        assertThat(WalPosition.segmentNumber("0000000200000001000000A3", seg)).isEqualTo(256 + 0xA3);
        assertThat(WalPosition.offset(WalPosition.parseLsn("0/2000028"), seg)).isEqualTo(40);
    }
}
