package io.pgpilot.provisioner.placement;

import io.pgpilot.provisioner.placement.PlacementDecision.Keep;
import io.pgpilot.provisioner.placement.PlacementDecision.Place;
import io.pgpilot.provisioner.placement.PlacementDecision.Replace;
import io.pgpilot.provisioner.placement.PlacementDecision.Unplaceable;
import io.pgpilot.provisioner.placement.PlacementDecision.Wait;
import io.pgpilot.provisioner.placement.PlacementPlanner.AntiAffinity;
import io.pgpilot.provisioner.placement.PlacementPlanner.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlacementPlannerTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final List<String> THREE = List.of("pg-1", "pg-2", "pg-3");
    final PlacementPlanner preferred = new PlacementPlanner(
            new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), AntiAffinity.PREFERRED));
    final PlacementPlanner required = new PlacementPlanner(
            new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), AntiAffinity.REQUIRED));

    static NodeView live(String name, String zone) {
        return new NodeView(name, zone, 10, NOW.minusSeconds(1));
    }

    static NodeView silentFor(String name, long seconds) {
        return new NodeView(name, "", 10, NOW.minusSeconds(seconds));
    }

    static List<String> nodesOf(List<PlacementDecision> decisions) {
        return decisions.stream().map(d -> switch (d) {
            case Keep k -> k.node();
            case Place p -> p.node();
            case Replace r -> r.node();
            case Wait w -> w.node();
            case Unplaceable u -> "-";
        }).toList();
    }

    @Test
    void aNewClusterGetsOneNodePerInstance() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of(),
                List.of(live("c", ""), live("a", ""), live("b", "")), Map.of(), NOW);
        assertThat(plan).allMatch(d -> d instanceof Place);
        assertThat(nodesOf(plan)).containsExactly("a", "b", "c");
    }

    @Test
    void theLeastLoadedNodesComeFirst() {
        List<PlacementDecision> plan = preferred.plan(List.of("pg-1", "pg-2"), Map.of(),
                List.of(live("a", ""), live("b", ""), live("c", "")), Map.of("a", 4, "b", 1), NOW);
        assertThat(nodesOf(plan)).containsExactly("c", "b");
    }

    @Test
    void instancesSpreadOverZonesBeforeNodes() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of(),
                List.of(live("a1", "zone-a"), live("a2", "zone-a"), live("b1", "zone-b"), live("c1", "zone-c")),
                Map.of(), NOW);
        assertThat(nodesOf(plan)).containsExactlyInAnyOrder("a1", "b1", "c1");
    }

    @Test
    void liveInstancesStayWhereTheyAre() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of("pg-1", "b", "pg-2", "c", "pg-3", "a"),
                List.of(live("a", ""), live("b", ""), live("c", ""), live("d", "")), Map.of("a", 1, "b", 1, "c", 1), NOW);
        assertThat(plan).containsExactly(new Keep("pg-1", "b"), new Keep("pg-2", "c"), new Keep("pg-3", "a"));
    }

    @Test
    void aSilentNodeKeepsItsInstanceDuringTheGrace() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of("pg-1", "a", "pg-2", "b", "pg-3", "c"),
                List.of(silentFor("a", 30), live("b", ""), live("c", ""), live("d", "")), Map.of(), NOW);
        assertThat(plan.getFirst()).isInstanceOf(Wait.class);
        assertThat(((Wait) plan.getFirst()).node()).isEqualTo("a");
    }

    @Test
    void aLostNodesInstanceIsReplacedOnASpareNode() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of("pg-1", "a", "pg-2", "b", "pg-3", "c"),
                List.of(silentFor("a", 61), live("b", ""), live("c", ""), live("d", "")),
                Map.of("a", 1, "b", 1, "c", 1), NOW);
        assertThat(plan).containsExactly(new Replace("pg-1", "a", "d"), new Keep("pg-2", "b"), new Keep("pg-3", "c"));
    }

    @Test
    void aDeregisteredNodeCountsAsLost() {
        List<PlacementDecision> plan = preferred.plan(List.of("pg-1", "pg-2"), Map.of("pg-1", "gone", "pg-2", "b"),
                List.of(live("b", ""), live("c", "")), Map.of(), NOW);
        assertThat(plan.getFirst()).isEqualTo(new Replace("pg-1", "gone", "c"));
    }

    @Test
    void requiredAntiAffinityLeavesAnInstanceUnplacedRatherThanDoubledUp() {
        List<PlacementDecision> plan = required.plan(THREE, Map.of(), List.of(live("a", ""), live("b", "")), Map.of(), NOW);
        assertThat(plan.get(2)).isInstanceOf(Unplaceable.class);
        assertThat(((Unplaceable) plan.get(2)).reason()).contains("anti-affinity is required");
    }

    @Test
    void preferredAntiAffinityDoublesUpOnlyWhenNoOtherNodeIsLeft() {
        List<PlacementDecision> plan = preferred.plan(THREE, Map.of(), List.of(live("a", ""), live("b", "")), Map.of(), NOW);
        assertThat(nodesOf(plan)).containsExactly("a", "b", "a");
    }

    @Test
    void capacityAndCordonedNodesAreRespected() {
        NodeView cordoned = new NodeView("a", "", 0, NOW);
        NodeView full = new NodeView("b", "", 2, NOW);
        List<PlacementDecision> plan = preferred.plan(List.of("pg-1"), Map.of(), List.of(cordoned, full),
                Map.of("b", 2), NOW);
        assertThat(plan.getFirst()).isInstanceOf(Unplaceable.class);
        assertThat(((Unplaceable) plan.getFirst()).reason()).contains("no live node has free capacity");
    }

    @Test
    void noLiveNodeIsReported() {
        List<PlacementDecision> plan = preferred.plan(List.of("pg-1"), Map.of(), List.of(silentFor("a", 10)), Map.of(), NOW);
        assertThat(((Unplaceable) plan.getFirst()).reason()).isEqualTo("no live node (1 registered)");
    }

    @Test
    void theResultDoesNotDependOnTheOrderOfNodes() {
        List<NodeView> nodes = List.of(live("a", "z1"), live("b", "z2"), live("c", "z1"), live("d", "z2"));
        Map<String, Integer> load = new HashMap<>(Map.of("a", 1, "d", 1));
        List<PlacementDecision> one = preferred.plan(THREE, Map.of(), nodes, load, NOW);
        List<PlacementDecision> other = preferred.plan(THREE, Map.of(), nodes.reversed(), load, NOW);
        assertThat(one).isEqualTo(other);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new Settings(Duration.ZERO, Duration.ofSeconds(1), AntiAffinity.REQUIRED))
                .hasMessageContaining("heartbeatTimeout");
        assertThatThrownBy(() -> new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1), AntiAffinity.REQUIRED))
                .hasMessageContaining("lossGrace");
        assertThatThrownBy(() -> new NodeView("a", "", -1, NOW)).hasMessageContaining("capacity");
    }

    @Test
    void lostIsTheRuleOfReplace() {
        // grace 60 s: a silent node (30 s) is not lost, a node silent for 61 s or deregistered is
        List<NodeView> nodes = List.of(live("a", ""), silentFor("b", 30), silentFor("c", 61));
        Map<String, String> current = Map.of("pg-1", "a", "pg-2", "b", "pg-3", "c", "pg-4", "gone");
        assertThat(preferred.lost(current, nodes, NOW)).isEqualTo(Map.of("pg-3", "c", "pg-4", "gone"));
        assertThat(preferred.plan(List.of("pg-3"), Map.of("pg-3", "c"), nodes, Map.of(), NOW).getFirst())
                .isEqualTo(new Replace("pg-3", "c", "a"));
        assertThat(preferred.alive("a", nodes, NOW)).isTrue();
        assertThat(preferred.alive("b", nodes, NOW)).isFalse();
        assertThat(preferred.alive("gone", nodes, NOW)).isFalse();
    }
}
