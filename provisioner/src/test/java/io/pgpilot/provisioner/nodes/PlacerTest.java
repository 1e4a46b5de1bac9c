package io.pgpilot.provisioner.nodes;

import io.pgpilot.provisioner.StaleCopy;
import io.pgpilot.provisioner.placement.NodeView;
import io.pgpilot.provisioner.placement.PlacementDecision;
import io.pgpilot.provisioner.placement.PlacementPlanner;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlacerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final Placer placer = new Placer(new PlacementPlanner(new PlacementPlanner.Settings(Duration.ofSeconds(5),
            Duration.ofMinutes(5), PlacementPlanner.AntiAffinity.REQUIRED)));

    private static NodeView node(String name, Instant lastSeen) {
        return new NodeView(name, "", 10, lastSeen);
    }

    @Test
    void theSecondInstanceOfAClusterGoesToAnotherNode() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW));
        PlacementDecision first = placer.decide("pg", 1, Map.of(), nodes, NOW);
        assertThat(first).isEqualTo(new PlacementDecision.Place("pg-1", "a"));
        PlacementDecision second = placer.decide("pg", 2, Map.of("pg/1", "a"), nodes, NOW);
        assertThat(second).isEqualTo(new PlacementDecision.Place("pg-2", "b"));
    }

    @Test
    void anAssignedInstanceKeepsItsNode() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW));
        assertThat(placer.decide("pg", 2, Map.of("pg/1", "a", "pg/2", "b"), nodes, NOW))
                .isEqualTo(new PlacementDecision.Keep("pg-2", "b"));
    }

    @Test
    void otherClustersCountAsLoadButNotForAntiAffinity() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW));
        assertThat(placer.decide("pg", 1, Map.of("other/1", "a", "other/2", "a"), nodes, NOW))
                .isEqualTo(new PlacementDecision.Place("pg-1", "b"));
        assertThat(placer.decide("pg", 2, Map.of("pg/1", "b", "other/1", "a"), nodes, NOW))
                .isEqualTo(new PlacementDecision.Place("pg-2", "a"));
    }

    @Test
    void aNodeIsAliveWithinTheHeartbeatTimeoutOnlyAndAnUnregisteredOneNever() {
        List<NodeView> nodes = List.of(node("a", NOW.minusSeconds(5)), node("b", NOW.minusSeconds(6)));
        assertThat(placer.alive("a", nodes, NOW)).isTrue();
        assertThat(placer.alive("b", nodes, NOW)).as("silent for longer than the 5 s heartbeat timeout").isFalse();
        assertThat(placer.alive("c", nodes, NOW)).isFalse();
    }

    @Test
    void aSilentNodeKeepsItsInstanceWithinTheGraceAndALostOneIsReplaced() {
        List<NodeView> silent = List.of(node("a", NOW.minusSeconds(30)), node("b", NOW), node("c", NOW));
        assertThat(placer.decide("pg", 1, Map.of("pg/1", "a", "pg/2", "b"), silent, NOW))
                .isInstanceOf(PlacementDecision.Wait.class);
        List<NodeView> lost = List.of(node("a", NOW.minusSeconds(600)), node("b", NOW), node("c", NOW));
        assertThat(placer.decide("pg", 1, Map.of("pg/1", "a", "pg/2", "b"), lost, NOW))
                .isEqualTo(new PlacementDecision.Replace("pg-1", "a", "c"));
    }

    @Test
    void requiredAntiAffinityLeavesAThirdInstanceOfTwoNodesUnplaced() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW));
        assertThat(placer.decide("pg", 3, Map.of("pg/1", "a", "pg/2", "b"), nodes, NOW))
                .isInstanceOf(PlacementDecision.Unplaceable.class);
    }

    @Test
    void theInstancesOfALostOrDeregisteredNodeAreLostNotThoseOfASilentOne() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW.minusSeconds(600)), node("c", NOW.minusSeconds(30)));
        assertThat(placer.lost("pg", Map.of(1, "a", 2, "b", 3, "c", 4, "gone"), nodes, NOW)).isEqualTo(Map.of(2, "b", 4, "gone"));
        assertThat(placer.lost("pg", Map.of(1, "a"), nodes, NOW)).isEmpty();
    }

    @Test
    void staleCopiesAreRemovableOnlyOnNodesHeardFromAgain() {
        List<NodeView> nodes = List.of(node("a", NOW), node("b", NOW.minusSeconds(600)), node("c", NOW.minusSeconds(1)));
        List<StaleCopy> copies = List.of(new StaleCopy("pg", 2, "b"), new StaleCopy("pg", 3, "c"), new StaleCopy("pg", 1, "gone"),
                new StaleCopy("pg", 4, "a"));
        assertThat(placer.removable(copies, nodes, NOW)).containsExactly(new StaleCopy("pg", 3, "c"), new StaleCopy("pg", 4, "a"));
    }
}
