package io.pgpilot.provisioner;

import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.provisioner.ReconcileAction.ConfigureAll;
import io.pgpilot.provisioner.ReconcileAction.CreatePrimary;
import io.pgpilot.provisioner.ReconcileAction.CreateReplica;
import io.pgpilot.provisioner.ReconcileAction.Delete;
import io.pgpilot.provisioner.ReconcileAction.EnsureDatabase;
import io.pgpilot.provisioner.ReconcileAction.Start;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what to do for one cluster from its desired definition and the observed instances. Pure:
 * no I/O, the same inputs always give the same plan, and a plan for a converged cluster only
 * re-checks configuration and database (idempotent steps).
 */
public final class ReconcilePlanner {

    private ReconcilePlanner() {
    }

    public static List<ReconcileAction> plan(ClusterDefinition desired, Map<Integer, ObservedInstance> observed) {
        return plan(desired, observed, 0);
    }

    /**
     * With a topology ({@code topologyPrimary} above 0) the primary is the one the topology names,
     * whatever the data directories say, and starting instances is left to the topology convergence
     * (it knows which ones are fenced and which must rejoin first); no primary is ever created then.
     */
    public static List<ReconcileAction> plan(ClusterDefinition desired, Map<Integer, ObservedInstance> observed, int topologyPrimary) {
        if (topologyPrimary > 0) {
            ObservedInstance p = observed.get(topologyPrimary);
            if (p == null || !p.initialized()) {
                return List.of();
            }
            return plan(desired, observed, Optional.of(topologyPrimary), false);
        }
        return plan(desired, observed, primaryOrdinal(observed), true);
    }

    private static List<ReconcileAction> plan(ClusterDefinition desired, Map<Integer, ObservedInstance> observed,
                                              Optional<Integer> primary, boolean start) {
        List<ReconcileAction> actions = new ArrayList<>();
        int primaryOrdinal;
        if (primary.isEmpty()) {
            primaryOrdinal = 1;
            actions.add(new CreatePrimary(1));
        } else {
            primaryOrdinal = primary.get();
        }
        observed.values().stream()
                .filter(o -> start && o.initialized() && !o.running())
                .filter(o -> o.ordinal() <= desired.instances() || o.ordinal() == primaryOrdinal)
                .sorted(Comparator.comparingInt((ObservedInstance o) -> o.ordinal() == primaryOrdinal ? 0 : 1)
                        .thenComparingInt(ObservedInstance::ordinal))
                .forEach(o -> actions.add(new Start(o.ordinal())));
        actions.add(new EnsureDatabase(primaryOrdinal));
        // synchronous standby names drop the instances going away before they go
        actions.add(new ConfigureAll(primaryOrdinal));
        observed.values().stream()
                .filter(o -> o.ordinal() > desired.instances() && o.ordinal() != primaryOrdinal)
                .sorted(Comparator.comparingInt(ObservedInstance::ordinal).reversed())
                .forEach(o -> actions.add(new Delete(o.ordinal())));
        boolean created = false;
        for (int ordinal = 1; ordinal <= desired.instances(); ordinal++) {
            ObservedInstance o = observed.get(ordinal);
            if (ordinal != primaryOrdinal && (o == null || !o.initialized())) {
                actions.add(new CreateReplica(ordinal, primaryOrdinal));
                created = true;
            }
        }
        if (created) {
            actions.add(new ConfigureAll(primaryOrdinal));
        }
        return List.copyOf(actions);
    }

    /** The initialized instance without standby.signal (the lowest ordinal if, wrongly, several). */
    public static Optional<Integer> primaryOrdinal(Map<Integer, ObservedInstance> observed) {
        return observed.values().stream()
                .filter(o -> o.initialized() && !o.standby())
                .map(ObservedInstance::ordinal)
                .min(Integer::compare);
    }

    /**
     * The instances that count as synchronous standby candidates for {@code self}: every other kept
     * (ordinal within the desired count) initialized instance, in ordinal order.
     */
    public static List<String> standbyCandidates(ClusterDefinition desired, Map<Integer, ObservedInstance> observed, int self) {
        List<Integer> initialized = observed.values().stream().filter(ObservedInstance::initialized).map(ObservedInstance::ordinal).toList();
        return standbyCandidates(desired.name(), desired.instances(), initialized, List.of(), self);
    }

    /**
     * As above, from ordinals: the initialized ones observed and the {@code unknown} ones (assigned
     * to a node that does not answer). An unknown instance stays a candidate: it was created, and
     * leaving it out would let the primary acknowledge commits that no standby has when it is the
     * only other one, or make a replica promoted later wait for standbys it named while it could not
     * see this one.
     */
    public static List<String> standbyCandidates(String cluster, int desiredInstances, java.util.Collection<Integer> initialized,
                                                 java.util.Collection<Integer> unknown, int self) {
        return java.util.stream.Stream.concat(initialized.stream(), unknown.stream())
                .filter(ordinal -> ordinal != self && ordinal <= desiredInstances)
                .distinct().sorted()
                .map(ordinal -> io.pgpilot.model.Names.instanceName(cluster, ordinal))
                .toList();
    }
}
