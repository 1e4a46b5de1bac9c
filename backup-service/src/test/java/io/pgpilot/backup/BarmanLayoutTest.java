package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BarmanLayoutTest {

    private final BarmanLayout layout = new BarmanLayout("cnpg/postgres-cluster");

    @Test
    void walKeysFollowBarmanCloud() {
        assertThat(layout.walKey(WalFileName.parse("000000010000000000000003"), Compression.GZIP, false))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000100000000/000000010000000000000003.gz");
        assertThat(layout.walKey(WalFileName.parse("000000010000000000000003"), Compression.NONE, false))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000100000000/000000010000000000000003");
        assertThat(layout.walKey(WalFileName.parse("0000000200000001000000A0"), Compression.ZSTD, false))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000200000001/0000000200000001000000A0.zst");
        assertThat(layout.walKey(WalFileName.parse("0000000200000001000000A0"), Compression.LZ4, true))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000200000001/0000000200000001000000A0.lz4.pgpenc");
        assertThat(layout.walKey(WalFileName.parse("00000002.history"), Compression.GZIP, false))
                .isEqualTo("cnpg/postgres-cluster/wals/00000002.history.gz");
        assertThat(layout.walKey(WalFileName.parse("000000010000000000000003.partial"), Compression.GZIP, false))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000100000000/000000010000000000000003.partial.gz");
        assertThat(layout.walKey(WalFileName.parse("000000010000000000000002.00000028.backup"), Compression.NONE, false))
                .isEqualTo("cnpg/postgres-cluster/wals/0000000100000000/000000010000000000000002.00000028.backup");
    }

    @Test
    void variantsRecogniseEverySuffixButNotOtherFilesOfTheSamePrefix() {
        WalFileName wal = WalFileName.parse("000000010000000000000003");
        String dir = "cnpg/postgres-cluster/wals/0000000100000000/";
        assertThat(layout.variant(wal, dir + "000000010000000000000003.bz2")).hasValueSatisfying(v ->
                assertThat(v.compression()).isEqualTo(Compression.BZIP2));
        assertThat(layout.variant(wal, dir + "000000010000000000000003.gz.pgpenc")).hasValueSatisfying(v -> {
            assertThat(v.compression()).isEqualTo(Compression.GZIP);
            assertThat(v.encrypted()).isTrue();
        });
        assertThat(layout.variant(wal, dir + "000000010000000000000003")).isPresent();
        assertThat(layout.variant(wal, dir + "000000010000000000000003.partial")).isEmpty();
        assertThat(layout.variant(wal, dir + "000000010000000000000003.partial.gz")).isEmpty();
        assertThat(layout.variant(wal, dir + "000000010000000000000003.00000028.backup")).isEmpty();
        assertThat(layout.variant(wal, "other/" + "000000010000000000000003")).isEmpty();
    }

    @Test
    void baseBackupPathsAndBackupIds() {
        assertThat(layout.backupInfoKey("20261126T040000")).isEqualTo("cnpg/postgres-cluster/base/20261126T040000/backup.info");
        assertThatThrownBy(() -> layout.baseDirectory("../x")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> BarmanLayout.requireBackupId("20261126T0400001")).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void prefixesWithDotSegmentsAreRefused() {
        assertThatThrownBy(() -> new BarmanLayout("a/../b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BarmanLayout("/a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new BarmanLayout("pc").walDirectory(WalFileName.parse("00000003.history"))).isEqualTo("pc/wals/");
    }
}
