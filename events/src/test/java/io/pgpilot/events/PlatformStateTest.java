package io.pgpilot.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformStateTest {

    private static final Instant T0 = Instant.parse("2026-12-01T07:00:00Z");
    private static final Set<String> ALL = Set.of(Topics.SPECS, Topics.TOPOLOGY, Topics.INSTANCES, Topics.ENDPOINTS, Topics.HEARTBEATS);

    private static String spec(String uid) {
        return Json.write(new ClusterSpecRecord(null, 1, T0, uid));
    }

    private static String topology(long epoch, String primary, String uid) {
        return Json.write(new Topology("pg", epoch, primary, List.of(), List.of(), 1, T0, "test", uid));
    }

    private static String instance(String name, String uid) {
        return Json.write(new InstanceRecord("pg", name, 1, "127.0.0.1", 5432, "/d", InstanceRecord.Phase.RUNNING, T0, "primary", uid));
    }

    private static Heartbeat heartbeat(String name, Instant at, String uid) {
        return new Heartbeat("pg", name, at, 1, Heartbeat.State.UP, true, Heartbeat.Role.PRIMARY, 1, 0, 0, 0, 0, 0,
                null, null, 0, 0, List.of(), null, uid, false);
    }

    @Test
    void keepsTheHighestTopologyEpochAndIgnoresALateOlderDecision() {
        PlatformState state = new PlatformState(Set.of(Topics.TOPOLOGY));
        assertThat(state.apply(Topics.TOPOLOGY, "pg", topology(5, "pg-1", null))).isEqualTo(PlatformState.Change.TOPOLOGY);
        assertThat(state.apply(Topics.TOPOLOGY, "pg", topology(4, "pg-2", null))).isEqualTo(PlatformState.Change.NONE);
        assertThat(state.apply(Topics.TOPOLOGY, "pg", topology(5, "pg-2", null))).isEqualTo(PlatformState.Change.NONE);
        assertThat(state.topology("pg").primary()).isEqualTo("pg-1");
        assertThat(state.apply(Topics.TOPOLOGY, "pg", topology(6, "pg-2", null))).isEqualTo(PlatformState.Change.TOPOLOGY);
        assertThat(state.topology("pg").primary()).isEqualTo("pg-2");
        assertThat(state.apply(Topics.TOPOLOGY, "pg", null)).isEqualTo(PlatformState.Change.TOPOLOGY);
        assertThat(state.topology("pg")).isNull();
    }

    @Test
    void answersOnlyForTheIncarnationInForce() {
        PlatformState state = new PlatformState(ALL);
        state.apply(Topics.SPECS, "pg", spec("old"));
        state.apply(Topics.TOPOLOGY, "pg", topology(3, "pg-1", "old"));
        state.apply(Topics.INSTANCES, "pg/pg-1", instance("pg-1", "old"));
        state.record(heartbeat("pg-1", T0, "old"));
        assertThat(state.topology("pg")).isNotNull();
        assertThat(state.instances("pg")).containsOnlyKeys("pg-1");
        assertThat(state.heartbeats("pg")).containsOnlyKeys("pg-1");

        state.apply(Topics.SPECS, "pg", spec("new")); // deleted and created again under the same name
        assertThat(state.topology("pg")).isNull();
        assertThat(state.instances("pg")).isEmpty();
        assertThat(state.heartbeats("pg")).isEmpty();
        assertThat(state.heartbeat("pg", "pg-1")).isEmpty();
    }

    @Test
    void withoutTheSpecsTopicNothingIsFilteredByIncarnation() {
        PlatformState state = new PlatformState(Set.of(Topics.TOPOLOGY, Topics.INSTANCES));
        state.apply(Topics.TOPOLOGY, "pg", topology(1, "pg-1", "any"));
        state.apply(Topics.INSTANCES, "pg/pg-1", instance("pg-1", "any"));
        assertThat(state.topology("pg")).isNotNull();
        assertThat(state.instancesByCluster()).containsOnlyKeys("pg");
    }

    @Test
    void keepsTheNewestHeartbeatOfInstancesInTheInventory() {
        PlatformState state = new PlatformState(Set.of(Topics.INSTANCES, Topics.HEARTBEATS));
        assertThat(state.record(heartbeat("pg-1", T0, null))).isEqualTo(PlatformState.Change.NONE); // not in the inventory
        state.apply(Topics.INSTANCES, "pg/pg-1", instance("pg-1", null));
        assertThat(state.apply(Topics.HEARTBEATS, "pg/pg-1", Json.write(heartbeat("pg-1", T0.plusSeconds(2), null))))
                .isEqualTo(PlatformState.Change.HEARTBEAT);
        assertThat(state.record(heartbeat("pg-1", T0.plusSeconds(1), null))).isEqualTo(PlatformState.Change.NONE);
        assertThat(state.heartbeat("pg", "pg-1").orElseThrow().observedAt()).isEqualTo(T0.plusSeconds(2));
        state.apply(Topics.INSTANCES, "pg/pg-1", null); // removed from the inventory: its heartbeat goes too
        assertThat(state.heartbeatList("pg")).isEmpty();
    }

    @Test
    void refusesUnreadableRecordsAndUnknownTopicsWithoutChangingTheView() {
        PlatformState state = new PlatformState(Set.of(Topics.TOPOLOGY));
        state.apply(Topics.TOPOLOGY, "pg", topology(2, "pg-1", null));
        assertThatThrownBy(() -> state.apply(Topics.TOPOLOGY, "pg", "{not json")).isInstanceOf(RuntimeException.class);
        assertThat(state.topology("pg").epoch()).isEqualTo(2);
        assertThat(state.apply(Topics.INSTANCES, "pg/pg-1", instance("pg-1", null))).isEqualTo(PlatformState.Change.NONE);
        assertThatThrownBy(() -> new PlatformState(Set.of(Topics.EVENTS))).isInstanceOf(IllegalArgumentException.class);
    }
}
