package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Pure: the next step of a rolling restart (a changed parameter that needs a restart, or a restart
 * the user asked for). Replicas one at a time, each back streaming before the next; then the
 * primary, by a switchover to the most advanced healthy replica ({@code primaryUpdateMethod:
 * switchover}, the default) or by a restart in place ({@code restart}, or when no replica can take over).
 */
public final class RollingRestartPlanner {

    /** What the provisioner saw of one member. */
    public record Member(String name, boolean running, boolean streaming, boolean needsRestart, long receivedLsn) {
    }

    public sealed interface Step {
        record Done() implements Step {
        }

        record Wait(String why) implements Step {
        }

        record RestartReplica(String instance) implements Step {
        }

        record Switchover(String from, String to) implements Step {
        }

        record RestartPrimary(String instance) implements Step {
        }
    }

    private RollingRestartPlanner() {
    }

    /**
     * {@code members}: every instance of the cluster (not only the topology's replicas: a replica
     * being restarted drops out of the topology for a moment, and must still be waited for).
     */
    public static Step next(Topology topology, Map<String, Member> members, boolean switchover) {
        List<String> fenced = topology.fenced() == null ? List.of() : topology.fenced();
        List<Member> replicas = members.values().stream()
                .filter(m -> !m.name().equals(topology.primary()) && !fenced.contains(m.name())).toList();
        Member primary = topology.primary() == null || fenced.contains(topology.primary()) ? null : members.get(topology.primary());
        boolean primaryPending = primary != null && primary.needsRestart();
        if (!primaryPending && replicas.stream().noneMatch(Member::needsRestart)) {
            return new Step.Done();
        }
        if (primary == null || !primary.running()) {
            return new Step.Wait("the primary " + topology.primary() + " is not running");
        }
        for (Member r : replicas) {
            if (!r.running() || !r.streaming()) {
                return new Step.Wait(r.name() + " is not streaming yet");
            }
        }
        for (Member r : replicas.stream().sorted(Comparator.comparing(Member::name)).toList()) {
            if (r.needsRestart()) {
                return new Step.RestartReplica(r.name());
            }
        }
        if (switchover) {
            var target = replicas.stream().filter(r -> !r.needsRestart())
                    .max(Comparator.comparingLong(Member::receivedLsn).thenComparing(Member::name, Comparator.reverseOrder()));
            if (target.isPresent()) {
                return new Step.Switchover(primary.name(), target.get().name());
            }
        }
        return new Step.RestartPrimary(primary.name());
    }
}
