package io.pgpilot.failover;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure role decisions: initial election, failover, switchover, fencing and the replica set.
 * The safety rules of DESIGN.md live here:
 * <ol>
 * <li>a replica is promoted only when the primary's process is known gone, or its lease has
 * expired and no replica still streams from it;</li>
 * <li>the candidate is the replica with the most advanced received LSN, measured after the
 * failure was seen (ties prefer a synchronous standby), so no acknowledged commit is lost;</li>
 * <li>a fenced primary is never failed over: fencing is an operator's decision.</li>
 * </ol>
 */
public final class TopologyDecider {

    private TopologyDecider() {
    }

    public static Decision decide(ClusterObservation o, Optional<ClusterCommand> command) {
        Topology current = o.current();
        if (current == null) {
            return command.<Decision>map(c -> new Decision.Rejected(c.id(), "no primary has been elected yet"))
                    .orElseGet(() -> elect(o));
        }
        if (command.isPresent()) {
            return handle(o, command.get());
        }
        Decision failover = failover(o);
        return failover != null ? failover : membership(o);
    }

    public static Decision decide(ClusterObservation o) {
        return decide(o, Optional.empty());
    }

    private static Decision elect(ClusterObservation o) {
        List<String> primaries = o.freshWithRole(Heartbeat.Role.PRIMARY);
        if (primaries.isEmpty()) {
            return new Decision.Unchanged();
        }
        if (primaries.size() > 1) {
            return new Decision.Conflict("more than one instance claims to be primary before any election: " + primaries);
        }
        String primary = primaries.getFirst();
        Topology first = new Topology(o.cluster(), o.lastEpoch() + 1, primary, o.freshWithRole(Heartbeat.Role.REPLICA),
                List.of(), o.heartbeats().get(primary).timeline(), o.now(), "initial election");
        return new Decision.PublishTopology(first, Decision.Kind.ELECTION, primary + " elected primary");
    }

    /** Null when the primary is fine (or fenced): the caller goes on with the replica set. */
    private static Decision failover(ClusterObservation o) {
        Topology current = o.current();
        String primary = current.primary();
        if (primary == null || o.fenced().contains(primary) || o.isUpAs(primary, Heartbeat.Role.PRIMARY)) {
            return null;
        }
        Heartbeat last = o.heartbeats().get(primary);
        if (!o.primaryConfirmed() && o.isUpAs(primary, Heartbeat.Role.REPLICA)
                && current.decidedAt().plus(o.promotionTimeout()).isAfter(o.now())) {
            return new Decision.Waiting("waiting for " + primary + " to be promoted");
        }
        boolean processGone = o.isFresh(last) && last.state() == Heartbeat.State.DOWN && !last.processAlive();
        boolean leaseExpired = o.primaryHealthyAt() == null || !o.primaryHealthyAt().plus(o.lease()).isAfter(o.now());
        List<String> streaming = o.members().stream()
                .filter(m -> !m.equals(primary) && o.isUpAs(m, Heartbeat.Role.REPLICA)
                        && "streaming".equals(o.heartbeats().get(m).walReceiverStatus()))
                .toList();
        if (!processGone && !(leaseExpired && streaming.isEmpty())) {
            return new Decision.Waiting(primary + " is not answering; waiting for its lease to expire"
                    + (streaming.isEmpty() ? "" : " and for " + streaming + " to stop streaming from it"));
        }
        if (o.primaryUnhealthyAt() != null && o.primaryUnhealthyAt().plus(o.failoverDelay()).isAfter(o.now())) {
            return new Decision.Waiting("failoverDelay of " + o.failoverDelay().toSeconds() + " s not over yet");
        }
        Optional<String> best = bestCandidate(o, primary, true);
        if (best.isEmpty()) {
            return new Decision.Waiting("no healthy replica has reported its WAL position since " + primary + " failed");
        }
        String next = best.get();
        String why = processGone ? primary + " is down (process gone)" : primary + " lease expired, no replica streams from it";
        Topology topology = new Topology(o.cluster(), o.lastEpoch() + 1, next, liveReplicasExcept(o, next, primary),
                o.fenced(), current.timeline(), o.now(), "failover: " + why);
        return new Decision.PublishTopology(topology, Decision.Kind.FAILOVER,
                "promoting " + next + " (received LSN " + o.heartbeats().get(next).receiveLsn() + "): " + why);
    }

    /**
     * The live replica with the highest received LSN; ties go to a synchronous standby, then by
     * name. With {@code afterFailure}, only heartbeats taken after the failure was seen count.
     */
    static Optional<String> bestCandidate(ClusterObservation o, String primary, boolean afterFailure) {
        return o.members().stream()
                .filter(m -> !m.equals(primary) && !o.fenced().contains(m) && o.isUpAs(m, Heartbeat.Role.REPLICA))
                .filter(m -> !afterFailure || o.primaryUnhealthyAt() == null
                        || o.heartbeats().get(m).observedAt().isAfter(o.primaryUnhealthyAt()))
                .max(Comparator.<String>comparingLong(m -> o.heartbeats().get(m).receiveLsn())
                        .thenComparing(m -> isSynchronous(o.lastStandbys().get(m)))
                        .thenComparing(Comparator.<String>reverseOrder()));
    }

    private static boolean isSynchronous(String syncState) {
        return "sync".equals(syncState) || "quorum".equals(syncState);
    }

    private static List<String> liveReplicasExcept(ClusterObservation o, String... excluded) {
        List<String> exclude = List.of(excluded);
        return o.freshWithRole(Heartbeat.Role.REPLICA).stream()
                .filter(m -> !exclude.contains(m) && !o.fenced().contains(m)).toList();
    }

    private static Decision membership(ClusterObservation o) {
        Topology current = o.current();
        List<String> live = liveReplicasExcept(o, current.primary() == null ? "" : current.primary());
        Heartbeat primaryBeat = o.heartbeats().get(current.primary());
        int timeline = o.isUpAs(current.primary(), Heartbeat.Role.PRIMARY) ? primaryBeat.timeline() : current.timeline();
        if (live.equals(current.replicas()) && timeline == current.timeline()) {
            return new Decision.Unchanged();
        }
        Topology next = new Topology(o.cluster(), o.lastEpoch() + 1, current.primary(), live, o.fenced(),
                timeline, o.now(), "replicas changed");
        return new Decision.PublishTopology(next, Decision.Kind.MEMBERSHIP,
                "replicas now " + live + " (were " + current.replicas() + "), timeline " + timeline);
    }

    private static Decision handle(ClusterObservation o, ClusterCommand command) {
        Topology current = o.current();
        String instance = command.instance();
        if (instance == null || !o.members().contains(instance)) {
            return new Decision.Rejected(command.id(), "instance " + instance + " is not a member of " + o.cluster());
        }
        return switch (command.type()) {
            case SWITCHOVER -> switchover(o, command, instance);
            case FENCE -> {
                if (o.fenced().contains(instance)) {
                    yield new Decision.AlreadyDone(command.id(), instance + " is already fenced");
                }
                List<String> fenced = new ArrayList<>(o.fenced());
                fenced.add(instance);
                fenced.sort(null);
                List<String> replicas = current.replicas().stream().filter(r -> !r.equals(instance)).toList();
                yield new Decision.PublishTopology(new Topology(o.cluster(), o.lastEpoch() + 1, current.primary(), replicas,
                        fenced, current.timeline(), o.now(), "fence " + instance), Decision.Kind.FENCE,
                        instance + " fenced" + (instance.equals(current.primary()) ? " (the primary: no failover, rw has no server)" : ""));
            }
            case UNFENCE -> {
                if (!o.fenced().contains(instance)) {
                    yield new Decision.AlreadyDone(command.id(), instance + " is not fenced");
                }
                List<String> fenced = o.fenced().stream().filter(f -> !f.equals(instance)).toList();
                yield new Decision.PublishTopology(new Topology(o.cluster(), o.lastEpoch() + 1, current.primary(),
                        current.replicas(), fenced, current.timeline(), o.now(), "unfence " + instance),
                        Decision.Kind.UNFENCE, instance + " unfenced");
            }
        };
    }

    private static Decision switchover(ClusterObservation o, ClusterCommand command, String target) {
        Topology current = o.current();
        if (target.equals(current.primary())) {
            return new Decision.AlreadyDone(command.id(), target + " is already the primary");
        }
        if (!o.isUpAs(current.primary(), Heartbeat.Role.PRIMARY)) {
            return new Decision.Rejected(command.id(), "the primary " + current.primary()
                    + " is not healthy: a switchover needs a running primary (failover handles the rest)");
        }
        if (o.fenced().contains(target) || !o.isUpAs(target, Heartbeat.Role.REPLICA)) {
            return new Decision.Rejected(command.id(), target + " is not a healthy, unfenced replica");
        }
        Topology next = new Topology(o.cluster(), o.lastEpoch() + 1, target,
                liveReplicasExcept(o, target, current.primary()), o.fenced(), current.timeline(), o.now(),
                "switchover from " + current.primary() + " (command " + command.id() + ")");
        return new Decision.PublishTopology(next, Decision.Kind.SWITCHOVER, "switchover from " + current.primary() + " to " + target);
    }
}
