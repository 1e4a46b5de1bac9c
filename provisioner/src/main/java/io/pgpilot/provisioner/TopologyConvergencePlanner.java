package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.provisioner.ConvergenceStep.Demote;
import io.pgpilot.provisioner.ConvergenceStep.Fence;
import io.pgpilot.provisioner.ConvergenceStep.HoldPrimary;
import io.pgpilot.provisioner.ConvergenceStep.Promote;
import io.pgpilot.provisioner.ConvergenceStep.Rejoin;
import io.pgpilot.provisioner.ConvergenceStep.Repoint;
import io.pgpilot.provisioner.ConvergenceStep.StartPrimary;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the steps that make one cluster's instances match its topology. Pure. The order is the
 * safety order: demote every wrong primary, then promote or start the topology primary, then repoint
 * running standbys, then rejoin stopped non-primaries (always as standbys: an instance the topology
 * does not name primary is never started without standby.signal), then fence.
 */
public final class TopologyConvergencePlanner {

    /**
     * What the executor knows beyond the instances: whether the topology primary has already been
     * seen running as primary under this topology (then a stop is a crash, subject to the grace
     * period), how long it has been down, and the grace period.
     */
    /** {@code primaryHost}: the address the topology primary is reached at (null: not compared, one host). */
    public record Context(boolean primarySeenRunning, Duration primaryDownFor, Duration restartGrace, String primaryHost) {

        public Context(boolean primarySeenRunning, Duration primaryDownFor, Duration restartGrace) {
            this(primarySeenRunning, primaryDownFor, restartGrace, null);
        }

        public Context withPrimaryHost(String host) {
            return new Context(primarySeenRunning, primaryDownFor, restartGrace, host);
        }
    }

    private TopologyConvergencePlanner() {
    }

    public static List<ConvergenceStep> plan(Topology topology, Map<Integer, MemberState> observed, Context context) {
        Set<String> fenced = new HashSet<>(topology.fenced() == null ? List.of() : topology.fenced());
        Optional<MemberState> primary = observed.values().stream()
                .filter(m -> m.name().equals(topology.primary()) && m.initialized()).findFirst();
        List<ConvergenceStep> steps = new ArrayList<>();
        int primaryOrdinal = primary.map(MemberState::ordinal).orElse(0);

        // 1. demote: nobody but the topology primary runs as a primary
        for (MemberState m : observed.values()) {
            if (m.initialized() && m.running() && !m.standby() && m.ordinal() != primaryOrdinal) {
                steps.add(new Demote(m.ordinal()));
            }
        }
        // 2. promote / start the topology primary (a fenced one stays down)
        boolean primaryUp = false;
        if (primary.isPresent() && !fenced.contains(topology.primary())) {
            MemberState p = primary.get();
            if (p.running() && !p.standby()) {
                primaryUp = true;
            } else if (p.running() || !context.primarySeenRunning()) {
                steps.add(p.standby() ? new Promote(p.ordinal(), !p.running()) : new StartPrimary(p.ordinal(), "named primary by the topology"));
                primaryUp = true;
            } else if (observed.values().stream().filter(MemberState::initialized).count() == 1) {
                steps.add(p.standby() ? new Promote(p.ordinal(), true) : new StartPrimary(p.ordinal(), "single-instance cluster"));
                primaryUp = true;
            } else if (context.primaryDownFor() != null && context.primaryDownFor().compareTo(context.restartGrace()) >= 0) {
                steps.add(p.standby() ? new Promote(p.ordinal(), true)
                        : new StartPrimary(p.ordinal(), "still primary after a grace period of " + context.restartGrace().toSeconds() + " s"));
                primaryUp = true;
            } else {
                steps.add(new HoldPrimary(p.ordinal(), "crashed primary is not restarted before the grace period of "
                        + context.restartGrace().toSeconds() + " s (down for " + millis(context.primaryDownFor()) + " ms): "
                        + "the failover service may be promoting another instance"));
            }
        }
        // 3. repoint running standbys, 4. rejoin stopped non-primaries (only once there is a primary to follow)
        if (primaryUp) {
            int primaryPort = primary.get().port();
            for (MemberState m : observed.values()) {
                if (m.ordinal() == primaryOrdinal || !m.initialized() || fenced.contains(m.name())) {
                    continue;
                }
                boolean otherHost = context.primaryHost() != null && m.upstreamHost() != null && !m.upstreamHost().equals(context.primaryHost());
                if (m.running() && m.standby() && (m.upstreamPort() != primaryPort || otherHost)) {
                    steps.add(new Repoint(m.ordinal(), primaryOrdinal));
                }
            }
            for (MemberState m : observed.values()) {
                if (m.ordinal() == primaryOrdinal || !m.initialized() || fenced.contains(m.name())) {
                    continue;
                }
                boolean demoted = m.running() && !m.standby();
                if (!m.running() || demoted) {
                    steps.add(new Rejoin(m.ordinal(), primaryOrdinal));
                }
            }
        }
        // 5. fence
        for (MemberState m : observed.values()) {
            if (m.initialized() && fenced.contains(m.name())) {
                steps.add(new Fence(m.ordinal()));
            }
        }
        return List.copyOf(steps);
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }
}
