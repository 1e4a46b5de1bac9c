package io.pgpilot.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalFileNameTest {

    @Test
    void kindsAndBarmanHashDirectories() {
        WalFileName segment = WalFileName.parse("000000020000000A000000FE");
        assertThat(segment.kind()).isEqualTo(WalFileName.Kind.SEGMENT);
        assertThat(segment.timeline()).isEqualTo(2);
        assertThat(segment.hashDir()).isEqualTo("000000020000000A");
        assertThat(WalFileName.parse("000000010000000000000003.partial").kind()).isEqualTo(WalFileName.Kind.PARTIAL);
        assertThat(WalFileName.parse("000000010000000000000003.partial").hashDir()).isEqualTo("0000000100000000");
        WalFileName label = WalFileName.parse("000000010000000000000002.00000028.backup");
        assertThat(label.kind()).isEqualTo(WalFileName.Kind.BACKUP_LABEL);
        assertThat(label.hashDir()).isEqualTo("0000000100000000");
        WalFileName history = WalFileName.parse("00000002.history");
        assertThat(history.kind()).isEqualTo(WalFileName.Kind.HISTORY);
        assertThat(history.hashDir()).isEmpty();
        assertThat(history.timeline()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../x", "..", "00000001000000000000000G", "0000000100000000000000001", "00000001000000000000000",
            "000000010000000000000001/..", "000000010000000000000001.gz", "000000010000000000000001.partial.gz",
            "00000000000000000000000A", "00000000.history", "0000000a0000000000000001", "00000002.history/x",
            "000000010000000000000001.0000002.backup", "000000010000000000000001\n", "%2e%2e%2fx", "/etc/passwd",
            "000000010000000000000001.backup", "RECOVERYXLOG", "00000002.HISTORY"})
    void everythingElseIsRefusedWithAClearError(String name) {
        assertThatThrownBy(() -> WalFileName.parse(name)).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("'").satisfies(e -> assertThat(((InvalidNameException) e).reason())
                        .isEqualTo(InvalidNameException.Reason.WAL_NAME));
        assertThat(WalFileName.isValid(name)).isFalse();
    }

    @Test
    void nullAndControlCharactersAreNotEchoed() {
        assertThatThrownBy(() -> WalFileName.parse(null)).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> WalFileName.parse("a\u0000b")).hasMessageNotContaining("\u0000");
    }
}
