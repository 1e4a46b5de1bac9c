package io.pgpilot.instance.configuration;

import io.pgpilot.instance.restore.RecoveryException;
import io.pgpilot.model.ClusterDefinition.RecoveryTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecoveryConfigTest {

    static String managed(RecoveryTarget target) {
        var settings = new ConfigRenderer.ManagedSettings("dst-1", 5432, Path.of("/s"), Path.of("/l"), "", null)
                .withRecovery(new ConfigRenderer.Recovery("http://127.0.0.1:8084", "dst", target));
        return ConfigRenderer.managed(settings);
    }

    @Test
    void recoveryToATimePromotesOnTheLatestTimelineWithWalFromTheSource() {
        String text = managed(new RecoveryTarget(Instant.parse("2026-11-25T10:15:30.25Z"), null, null, false, true));
        assertThat(text).contains("recovery_target_time = '2026-11-25 10:15:30.250000+00'\n", "recovery_target_inclusive = on\n",
                "recovery_target_action = 'promote'\n", "recovery_target_timeline = 'latest'\n",
                "/recovery/dst/wal/%f", "-w \"%%{http_code}\"", "exit 200");
        assertThat(text).doesNotContain("/wal/dst/%f");
    }

    @Test
    void otherTargets() {
        assertThat(managed(new RecoveryTarget(null, "0/3000060", null, false, false)))
                .contains("recovery_target_lsn = '0/3000060'\n", "recovery_target_inclusive = off\n");
        assertThat(managed(new RecoveryTarget(null, null, "before-upgrade", false, true))).contains("recovery_target_name = 'before-upgrade'\n");
        assertThat(managed(new RecoveryTarget(null, null, null, true, true))).contains("recovery_target = 'immediate'\n")
                .doesNotContain("recovery_target_inclusive");
        assertThat(managed(RecoveryTarget.END_OF_WAL)).doesNotContain("recovery_target_time =", "recovery_target_inclusive")
                .contains("recovery_target_action = 'promote'");
    }

    @Test
    void recoveryHbaLetsOnlyTheOsUserInAsSuperuserOverTheSocket() {
        assertThat(ConfigRenderer.recoveryHba()).startsWith("# managed by pgpilot").contains("local   all          postgres                         peer map=pgpilot\n")
                .contains("hostssl   replication  streaming_replica  127.0.0.1/32  cert")
                .contains("host      replication  all                all           reject");
        assertThat(ConfigRenderer.recoveryIdent("postgres")).contains("pgpilot  postgres  postgres");
        assertThatThrownBy(() -> ConfigRenderer.recoveryIdent("x y")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStoppedRecoveryIsClassifiedFromItsLog() {
        assertThat(RecoveryException.classify("FATAL:  recovery ended before configured recovery target was reached"))
                .isEqualTo(RecoveryException.Reason.TARGET_NOT_REACHED);
        assertThat(RecoveryException.classify("FATAL:  WAL ends before consistent recovery point")).isEqualTo(RecoveryException.Reason.MISSING_WAL);
        assertThat(RecoveryException.classify("FATAL:  could not restore file \"000000010000000000000003\" from archive: child process exited with exit code 200"))
                .isEqualTo(RecoveryException.Reason.MISSING_WAL);
        assertThat(RecoveryException.classify("FATAL:  something else")).isEqualTo(RecoveryException.Reason.FAILED);
    }
}
