package io.pgpilot.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pure: which instance managers to start, restart and stop so that one runs, with its current
 * configuration, beside every instance the node holds for a cluster whose spec it has.
 *
 * @param start   desired and not running (never started, or exited)
 * @param restart running with another configuration (the cluster's size, incarnation or the instance's port changed)
 * @param stop    running for an instance the node no longer holds (removed, or its cluster's spec withdrawn)
 */
record ManagerPlan(List<ManagerLaunch> start, List<ManagerLaunch> restart, List<String> stop) {

    /**
     * @param desired instance -> the launch it should run with
     * @param running instance -> the launch of its manager that is alive now
     */
    static ManagerPlan of(Map<String, ManagerLaunch> desired, Map<String, ManagerLaunch> running) {
        List<ManagerLaunch> start = new ArrayList<>();
        List<ManagerLaunch> restart = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        desired.values().stream().sorted(java.util.Comparator.comparing(ManagerLaunch::instance)).forEach(launch -> {
            ManagerLaunch current = running.get(launch.instance());
            if (current == null) {
                start.add(launch);
            } else if (!current.equals(launch)) {
                restart.add(launch);
            }
        });
        running.keySet().stream().filter(instance -> !desired.containsKey(instance)).sorted().forEach(stop::add);
        return new ManagerPlan(List.copyOf(start), List.copyOf(restart), List.copyOf(stop));
    }

    boolean isEmpty() {
        return start.isEmpty() && restart.isEmpty() && stop.isEmpty();
    }
}
