package io.pgpilot.services;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HaproxyCliOutputTest {

    @Test
    void parsesShowProcWithOldWorkers() {
        var p = HaproxyCliOutput.parseProcesses("""
                #<PID>          <type>          <reloads>       <uptime>        <version>
                5157            master          2 [failed: 0]   0d00h10m15s     2.6.12-1+deb12u3
                # workers
                13333           worker          0               0d00h00m01s     2.6.12-1+deb12u3
                # old workers
                13192           worker          1               0d00h00m03s     2.6.12-1+deb12u3
                # programs

                """);
        assertThat(p.masterPid()).isEqualTo(5157);
        assertThat(p.reloads()).isEqualTo(2);
        assertThat(p.workers()).containsExactly(13333L);
        assertThat(p.oldWorkers()).containsExactly(13192L);
    }

    @Test
    void parsesShowSess() {
        var sessions = HaproxyCliOutput.parseSessions("""
                0x5596dcac2d00: proto=tcpv4 src=127.0.0.1:47250 fe=pg-rw be=pg-rw srv=pg-1 ts=00 epoch=0 age=2s calls=3
                0x7f64a0039f00: proto=sockpair src=unix:2 fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0 age=0s calls=2
                """);
        assertThat(sessions).containsExactly(
                new HaproxyCliOutput.Session("0x5596dcac2d00", "pg-rw", "pg-1"),
                new HaproxyCliOutput.Session("0x7f64a0039f00", "<NONE>", "<none>"));
    }
}
