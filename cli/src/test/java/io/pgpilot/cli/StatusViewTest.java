package io.pgpilot.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusViewTest {

    static Map<String, Object> cluster() {
        return Json.object("""
                {"name":"pc","generation":1,"phase":"Cluster in healthy state","instances":3,"readyInstances":3,
                 "currentPrimary":"pc-1","topologyEpoch":4,"timeline":2,"synchronousStandbyNames":"ANY 1 (pc-2, pc-3)","synchronousStandbys":1,
                 "instanceStatus":[
                   {"name":"pc-1","role":"primary","status":"healthy","timeline":2,"currentLsn":"0/5000060"},
                   {"name":"pc-2","role":"replica","status":"healthy","timeline":2,"currentLsn":"0/5000060","replayLsn":"0/5000060","lagBytes":0,"lagSeconds":0.0,"syncState":"quorum","walReceiver":"streaming"},
                   {"name":"pc-3","role":"replica","status":"healthy","timeline":2,"replayLsn":"0/4FFF000","lagBytes":4192,"lagSeconds":1.25,"syncState":"potential","walReceiver":"streaming"}],
                 "endpoints":{"pc-r":"127.0.0.1:5434","pc-rw":"127.0.0.1:5432","pc-ro":"127.0.0.1:5433"},
                 "secrets":{"app":"pc-app"},"uid":"u1"}""");
    }

    static String row(String label, String value) {
        return String.format("%-30s %s", label + ":", value);
    }

    @Test
    void rendersLikeCnpgStatus() {
        String text = StatusView.render(new StatusView.Facts(cluster(),
                List.of(Map.of("backupId", "20261201T020000", "status", "completed", "startedAt", "2026-12-01T02:00:00Z",
                        "completedAt", "2026-12-01T02:01:00Z", "bytes", 31457280, "storedBytes", 4194304)), null,
                Map.of("archived", 12, "failed", 0, "failing", false, "lastArchivedWal", "000000020000000000000005",
                        "lastArchivedAt", "2026-12-01T06:59:00Z"), null,
                List.of(Map.of("name", "pc-pooler-rw", "cluster", "pc", "type", "rw", "instances", 2, "poolMode", "transaction",
                        "phase", "Ready", "endpoint", "127.0.0.1:6432"))));
        assertThat(text).contains("Cluster Summary", "Primary instance:", "pc-1", "Timeline:", "ANY 1 (pc-2, pc-3) (1 in sync)")
                .contains(row("Endpoints", "pc-rw 127.0.0.1:5432  pc-ro 127.0.0.1:5433  pc-r 127.0.0.1:5434"))
                .contains(row("WAL archiving", "OK; archived 12, failed 0"))
                .contains(row("Last archived WAL", "000000020000000000000005 at 2026-12-01T06:59:00Z"))
                .contains(row("Last base backup", "20261201T020000 completed 2026-12-01T02:01:00Z, 30.0 MB (4.0 MB stored)"))
                .contains("pc-pooler-rw", "transaction", "127.0.0.1:6432");
        String replica = text.lines().filter(l -> l.startsWith("pc-3")).findFirst().orElseThrow();
        assertThat(replica).contains("replica", "0/4FFF000", "4.1 kB / 1.3s", "potential", "streaming");
        String primary = text.lines().filter(l -> l.startsWith("pc-1")).findFirst().orElseThrow();
        assertThat(primary).contains("primary", "0/5000060").doesNotContain("quorum");
    }

    @Test
    void missingPartsAreSaidPlainly() {
        Map<String, Object> creating = new java.util.HashMap<>(cluster());
        creating.remove("endpoints");
        creating.put("progress", Map.of("step", 1, "of", 3, "percent", 33, "message", "1/3 instances ready; creating pc-2"));
        String text = StatusView.render(new StatusView.Facts(creating, null, "not configured (no spec.backup)", null,
                "not configured (no spec.backup)", List.of()));
        assertThat(text).contains(row("Endpoints", "(none yet)"), "[######--------------]  33% 1/3 instances ready; creating pc-2",
                row("WAL archiving", "not configured (no spec.backup)"), "Poolers\n(none)");
    }

    @Test
    void progressBarAndSizes() {
        assertThat(ProgressBar.render(50, 10, "streaming")).isEqualTo("[#####-----]  50% streaming");
        assertThat(ProgressBar.render(150, 4, null)).isEqualTo("[####] 100%");
        assertThat(ProgressBar.render(-1, 4, "waiting")).isEqualTo("[????]     waiting");
        assertThat(StatusView.bytes(1023)).isEqualTo("1023 B");
        assertThat(StatusView.bytes(2_684_354_560L)).isEqualTo("2.5 GB");
    }
}
