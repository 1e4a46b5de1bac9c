package io.pgpilot.backup;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topology;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BackupSourceTest {

    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    static final Topology TOPOLOGY = new Topology("pc", 3, "pc-1", List.of("pc-2", "pc-3"), List.of(), 1, NOW, "election");

    static InstanceRecord instance(String name, int port) {
        return new InstanceRecord("pc", name, Integer.parseInt(name.substring(3)), "127.0.0.1", port, "/d", InstanceRecord.Phase.RUNNING, NOW, "");
    }

    static Heartbeat hb(String name, Heartbeat.Role role, long lag, String receiver, Instant at) {
        return new Heartbeat("pc", name, at, 1, Heartbeat.State.UP, true, role, 1, 0, 0, 0, lag, 0, receiver, null, 1, 1, List.of(), null);
    }

    static final Map<String, InstanceRecord> INSTANCES = Map.of("pc-1", instance("pc-1", 5001), "pc-2", instance("pc-2", 5002),
            "pc-3", instance("pc-3", 5003));

    @Test
    void prefersTheHealthyReplicaWithTheLeastLag() {
        var choice = BackupSource.choose("prefer-standby", TOPOLOGY, INSTANCES, Map.of(
                "pc-1", hb("pc-1", Heartbeat.Role.PRIMARY, 0, null, NOW),
                "pc-2", hb("pc-2", Heartbeat.Role.REPLICA, 500, "streaming", NOW),
                "pc-3", hb("pc-3", Heartbeat.Role.REPLICA, 100, "streaming", NOW)), NOW);
        assertThat(choice).isEqualTo(new BackupSource.Chosen("pc-3", 5003, true, 5001, "healthy replica with the least lag (100 bytes)"));
    }

    @Test
    void fallsBackToThePrimaryWhenNoReplicaIsHealthyOrTargetIsPrimary() {
        var stale = Map.of("pc-1", hb("pc-1", Heartbeat.Role.PRIMARY, 0, null, NOW),
                "pc-2", hb("pc-2", Heartbeat.Role.REPLICA, 0, "streaming", NOW.minusSeconds(60)),
                "pc-3", hb("pc-3", Heartbeat.Role.REPLICA, 0, "stopped", NOW));
        assertThat(BackupSource.choose("prefer-standby", TOPOLOGY, INSTANCES, stale, NOW))
                .isEqualTo(new BackupSource.Chosen("pc-1", 5001, false, 5001, "no healthy replica"));
        var healthy = Map.of("pc-2", hb("pc-2", Heartbeat.Role.REPLICA, 0, "streaming", NOW));
        assertThat(((BackupSource.Chosen) BackupSource.choose("primary", TOPOLOGY, INSTANCES, healthy, NOW)).instance()).isEqualTo("pc-1");
        // fenced replicas never count
        Topology fenced = new Topology("pc", 4, "pc-1", List.of("pc-2"), List.of("pc-2"), 1, NOW, "fence");
        assertThat(((BackupSource.Chosen) BackupSource.choose("prefer-standby", fenced, INSTANCES, healthy, NOW)).instance()).isEqualTo("pc-1");
    }

    @Test
    void noSourceWithoutARunningPrimary() {
        assertThat(BackupSource.choose("prefer-standby", null, INSTANCES, Map.of(), NOW)).isInstanceOf(BackupSource.NoSource.class);
        var down = Map.of("pc-1", new Heartbeat("pc", "pc-1", NOW, 1, Heartbeat.State.DOWN, false, Heartbeat.Role.PRIMARY, 1, 0, 0, 0, 0, 0,
                null, null, 0, 0, List.of(), "down"));
        assertThat(BackupSource.choose("primary", TOPOLOGY, INSTANCES, down, NOW)).isInstanceOf(BackupSource.NoSource.class);
    }
}
