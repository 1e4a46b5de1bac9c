package io.pgpilot.backup;

import io.pgpilot.testkit.Fuzz;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of what the backup service takes from a request path (issue 10): WAL file names, backup
 * ids and the access decision. Each is valid, or an {@link InvalidNameException} (the controllers'
 * 400) — never another exception (a 500); every path gets exactly one access requirement.
 */
class NameFuzzTest {

    static final String HEX = "0123456789ABCDEFabcdefXYZ.-_/historypartialbackup";

    @Test
    void walFileNames() {
        Fuzz.check("WAL name", r -> Fuzz.oneOf(r, Fuzz.any(r, 50), Fuzz.string(r, HEX, 50),
                Fuzz.mutate(r, "000000010000000A000000FF", 4, Fuzz.string(r, HEX, 4)),
                Fuzz.mutate(r, "00000002.history", 3, Fuzz.string(r, HEX, 3)),
                Fuzz.mutate(r, "000000010000000000000003.00000028.backup", 5, Fuzz.string(r, HEX, 5))), name -> {
            try {
                WalFileName parsed = WalFileName.parse(name);
                assertThat(WalFileName.isValid(name)).isTrue();
                assertThat(parsed.name()).isEqualTo(name).doesNotContain("/").doesNotContain("..");
            } catch (InvalidNameException e) {
                assertThat(WalFileName.isValid(name)).isFalse();
                assertThat(e.getMessage()).isNotBlank();
            }
        });
    }

    @Test
    void backupIds() {
        Fuzz.check("backup id", r -> Fuzz.oneOf(r, Fuzz.any(r, 30), Fuzz.string(r, "0123456789T/.", 20),
                Fuzz.mutate(r, "20261201T041500", 3, Fuzz.string(r, "0123456789T/.Z", 3))), id -> {
            try {
                assertThat(BarmanLayout.requireBackupId(id)).isEqualTo(id).matches("[0-9]{8}T[0-9]{6}");
            } catch (InvalidNameException e) {
                assertThat(e.reason()).isEqualTo(InvalidNameException.Reason.BACKUP_ID);
            }
        });
    }

    @Test
    void everyPathHasOneAccessRequirementAndWalPathsNeverTheInternalToken() {
        Fuzz.check("access path", r -> Fuzz.oneOf(r, "/", "/wal/", "/recovery/", "/backups/", "/actuator/") + Fuzz.oneOf(r,
                Fuzz.any(r, 40), Fuzz.string(r, "abc-/.%019_", 40)), path -> {
            AccessPolicy.Requirement requirement = AccessPolicy.of(path);
            assertThat(requirement).isNotNull();
            if (path.startsWith("/wal/") || path.startsWith("/recovery/")) {
                assertThat(requirement).isInstanceOfAny(AccessPolicy.ClusterToken.class, AccessPolicy.BadName.class);
            }
            if (requirement instanceof AccessPolicy.Open) {
                assertThat(path).startsWith("/actuator");
            }
        });
    }
}
