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
    void theSourceStoresMaxParallelPrefetchesThroughTheRenderedScriptWithTheSameExitCodes() {
        var recovery = new ConfigRenderer.Recovery("http://127.0.0.1:8084", "dst", RecoveryTarget.END_OF_WAL, 8);
        String text = ConfigRenderer.managed(new ConfigRenderer.ManagedSettings("dst-1", 5432, Path.of("/s"), Path.of("/l"), "", null)
                .withRecovery(recovery));
        assertThat(text).contains("restore_command = 'sh ../pgpilot-wal-restore.sh \"%f\" \"%p\"'\n", "recovery_target_action = 'promote'\n");
        String script = WalRestoreScript.render(recovery);
        assertThat(script).startsWith("#!/bin/sh\n").contains("url='http://127.0.0.1:8084/recovery/dst/wal'\n", "max=8\n",
                "dir=../wal-prefetch\n", "curl -K ../backup-service.curl", "-w '%{http_code}'",
                // a prefetched file is moved into place: used once
                "mv -f \"$dir/$f\" \"$p\"",
                // kept only when complete with 200, under a temporary name until then
                "( fetch \"$a\" \"$dir/.$a.tmp\" 2>/dev/null && mv -f \"$dir/.$a.tmp\" \"$dir/$a\" ) &",
                "0) exit 0 ;;\n  1) exit 1 ;;\nesac\nexit 200\n");
        assertThat(script).doesNotContainIgnoringCase("bearer");
        assertThat(ConfigRenderer.recoveryRestoreCommand(new ConfigRenderer.Recovery("http://127.0.0.1:8084", "dst", RecoveryTarget.END_OF_WAL)))
                .startsWith("code=$(curl");
        assertThatThrownBy(() -> new ConfigRenderer.Recovery("http://127.0.0.1:8084", "dst", RecoveryTarget.END_OF_WAL, 0))
                .isInstanceOf(IllegalArgumentException.class);
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
