package io.pgpilot.failover;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Incarnation;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.KafkaTracing;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topology;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Adapter around {@link TopologyDecider}: keeps the latest view from Kafka, runs the decider for
 * every cluster on a fixed cadence and for every command, and is the only writer of the topology
 * topic. Decisions for all clusters are taken one at a time (one lock), so a command and a
 * failover can never both build on the same epoch. Of several replicas only the elected one
 * decides and reads commands ({@link FailoverLeader}); the others keep their view current.
 */
@Component
class FailoverCoordinator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);

    private final PlatformProperties platform;
    private final FailoverProperties settings;
    private final EventBus bus;
    private final FailoverMetrics metrics;
    private final Instant startedAt = Instant.now();
    private final Map<String, Duration> failoverDelays = new ConcurrentHashMap<>();
    private final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, Topology> topologies = new ConcurrentHashMap<>();
    private final Map<String, Long> lastEpochs = new ConcurrentHashMap<>();
    private final Map<String, PrimaryWatch> watches = new ConcurrentHashMap<>();
    private final Transitions transitions = new Transitions();
    private final Map<String, String> lastWaiting = new ConcurrentHashMap<>();
    private final HibernationGate hibernation = new HibernationGate(Duration.ofSeconds(60));
    /** The incarnation in force per existing cluster (a spec without uid maps to ""; see {@link Incarnation}). */
    private final Map<String, String> uids = new ConcurrentHashMap<>();
    /** The newest topology read per cluster whatever its incarnation (the topics are read in no common order). */
    private final Map<String, Topology> newest = new ConcurrentHashMap<>();
    /** Set once the state topics were read up to their end: tombstones are published only from then on. */
    private volatile boolean caughtUp;
    private final Object decisions = new Object();
    private TopicTailer stateTailer;
    private TopicTailer heartbeatTailer;
    private volatile CommandInbox commands;
    private FailoverLeader leader;
    private ScheduledExecutorService ticker;
    private volatile boolean running;

    FailoverCoordinator(PlatformProperties platform, FailoverProperties settings, EventBus bus, FailoverMetrics metrics) {
        this.platform = platform;
        this.settings = settings;
        this.bus = bus;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        stateTailer = new TopicTailer(platform.kafkaBootstrapServers(), "failover-state", Map.of(
                Topics.SPECS, TopicTailer.Start.BEGINNING,
                Topics.INSTANCES, TopicTailer.Start.BEGINNING,
                Topics.TOPOLOGY, TopicTailer.Start.BEGINNING), this::applyState).start();
        heartbeatTailer = new TopicTailer(platform.kafkaBootstrapServers(), "failover-heartbeats",
                Map.of(Topics.HEARTBEATS, TopicTailer.Start.END), this::applyHeartbeat).start();
        try {
            // never decide from a partial view of the topology: epochs must continue, not restart
            if (!stateTailer.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read the current topology from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        synchronized (decisions) {
            caughtUp = true;
        }
        leader = new FailoverLeader(settings.replicaName(), new TopologyWriter(platform.kafkaBootstrapServers(),
                TopologyWriter.TRANSACTIONAL_ID, Duration.ofSeconds(5)), stateTailer::sync, this::becomeActive, this::becomeStandby)
                .join(platform.kafkaBootstrapServers(), settings.leaderSessionTimeout());
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("decide").daemon().factory());
        ticker.scheduleWithFixedDelay(this::decideAll, 0, settings.decisionInterval().toMillis(), TimeUnit.MILLISECONDS);
        running = true;
    }

    /** Elected, the previous leader fenced and the state topics read to their end. */
    private void becomeActive() {
        synchronized (decisions) {
            // a deleted cluster whose topology is still in the topic (its tombstone was read first, or
            // the previous leader died before tombstoning it): tombstone it now
            newest.keySet().stream().filter(c -> !uids.containsKey(c)).toList().forEach(c -> {
                forgetIncarnation(c, false);
                quietly(() -> leader.publish(Topics.TOPOLOGY, c, null));
            });
            commands = new CommandInbox(platform.kafkaBootstrapServers(), this::handle).start();
        }
    }

    /** Deposed (decisions already stopped): the commands are left to the new leader. */
    private void becomeStandby() {
        CommandInbox inbox = commands;
        commands = null;
        if (inbox != null) {
            inbox.close();
        }
    }

    private PrimaryWatch watch(String cluster) {
        return watches.computeIfAbsent(cluster, c -> new PrimaryWatch(startedAt));
    }

    private void applyState(String topic, String key, String value) {
        switch (topic) {
            case Topics.SPECS -> {
                synchronized (decisions) { // never between an observation and its publication
                    if (value == null) {
                        failoverDelays.remove(key);
                        metrics.clusterGone(key);
                        hibernation.forget(key);
                        uids.remove(key);
                        forgetIncarnation(key, true);
                    } else {
                        ClusterSpecRecord spec = Json.read(value, ClusterSpecRecord.class);
                        var definition = ManifestValidator.validate(spec.manifest());
                        String uid = spec.uid() == null ? "" : spec.uid();
                        String previous = uids.put(key, uid);
                        Topology held = topologies.get(key);
                        if (!uid.equals(previous) && held != null && !Incarnation.same(uidOf(held.uid()), uid)) {
                            log.info("cluster={} incarnation {}: the topology of incarnation {} (epoch {}) no longer applies",
                                    key, Incarnation.brief(uid), Incarnation.brief(held.uid()), held.epoch());
                            forgetIncarnation(key, false);
                        }
                        Topology read = newest.get(key);
                        if (!topologies.containsKey(key) && read != null && uid.equals(uidOf(read.uid()))) {
                            adopt(read); // read before its spec
                        }
                        failoverDelays.put(key, Duration.ofSeconds(definition.failoverDelaySeconds()));
                        hibernation.spec(key, definition.hibernated(), Instant.now());
                        metrics.clusterKnown(key);
                    }
                }
            }
            case Topics.INSTANCES -> {
                if (value == null) {
                    InstanceRecord gone = instances.remove(key);
                    if (gone != null) {
                        metrics.instanceGone(gone.cluster(), gone.instance());
                    }
                } else {
                    instances.put(key, Json.read(value, InstanceRecord.class));
                }
            }
            case Topics.TOPOLOGY -> {
                if (value == null) {
                    topologies.remove(key);
                    newest.remove(key);
                } else {
                    adopt(Json.read(value, Topology.class));
                }
            }
            default -> {
            }
        }
    }

    /**
     * Drops what belongs to the cluster's previous incarnation: its topology (tombstoned once caught
     * up, when {@code tombstone}), primary watch, transition in progress. The highest epoch stays.
     */
    private void forgetIncarnation(String cluster, boolean tombstone) {
        watches.remove(cluster);
        transitions.forget(cluster);
        lastWaiting.remove(cluster);
        if (topologies.remove(cluster) != null && tombstone && caughtUp && leader != null && leader.active()) {
            quietly(() -> leader.publish(Topics.TOPOLOGY, cluster, null));
        }
    }

    private static String uidOf(String recordUid) {
        return recordUid == null ? "" : recordUid;
    }

    /** A record of the cluster's incarnation in force (false when the cluster is unknown). */
    private boolean current(String cluster, String recordUid) {
        String uid = uids.get(cluster);
        return uid != null && uid.equals(uidOf(recordUid));
    }

    private void adopt(Topology topology) {
        lastEpochs.merge(topology.cluster(), topology.epoch(), Math::max);
        newest.merge(topology.cluster(), topology, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
        String uid = uids.get(topology.cluster());
        if (uid != null && !uid.equals(uidOf(topology.uid()))) {
            return; // a deleted incarnation's topology: only its epoch counts
        }
        Topology merged = topologies.merge(topology.cluster(), topology, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
        watch(topology.cluster()).onTopology(merged);
        metrics.topology(topology.cluster(), merged.epoch(), merged.decidedAt());
    }

    private void applyHeartbeat(String topic, String key, String value) {
        Heartbeat heartbeat = Json.read(value, Heartbeat.class);
        heartbeats.merge(Topics.instanceKey(heartbeat.cluster(), heartbeat.instance()), heartbeat,
                (old, fresh) -> fresh.observedAt().isBefore(old.observedAt()) ? old : fresh);
        if (!current(heartbeat.cluster(), heartbeat.uid())) {
            return; // an instance of a deleted incarnation (or of no cluster any more)
        }
        watch(heartbeat.cluster()).onHeartbeat(heartbeat);
        metrics.heartbeat(heartbeat);
        reportCompletion(heartbeat);
    }

    private void decideAll() {
        for (String cluster : failoverDelays.keySet()) {
            try {
                synchronized (decisions) {
                    if (!leader.active()) {
                        return; // a standby replica: it only keeps its view current
                    }
                    Topology t = topologies.get(cluster);
                    if (!hibernation.decides(cluster, t == null ? null : heartbeats.get(Topics.instanceKey(cluster, t.primary())), Instant.now())) {
                        continue; // hibernated, or waking up: its instances are stopped on purpose
                    }
                    apply(cluster, TopologyDecider.decide(observe(cluster)), null);
                }
            } catch (NotLeaderException e) {
                log.info("cluster={} decision not published: {}", cluster, e.getMessage());
                return;
            } catch (RuntimeException e) {
                log.error("cluster={} decision failed", cluster, e);
            }
        }
    }

    private void handle(ClusterCommand command) {
        log.info("cluster={} command {} {} {}", command.cluster(), command.id(), command.type(), command.instance());
        synchronized (decisions) {
            if (!leader.active()) {
                throw new NotLeaderException("command " + command.id() + " left to the active decider");
            }
            if (!failoverDelays.containsKey(command.cluster())) {
                apply(command.cluster(), new Decision.Rejected(command.id(), "cluster " + command.cluster() + " does not exist"), command);
                return;
            }
            if (hibernation.hibernated(command.cluster())) {
                apply(command.cluster(), new Decision.Rejected(command.id(), "cluster " + command.cluster() + " is hibernated"), command);
                return;
            }
            apply(command.cluster(), TopologyDecider.decide(observe(command.cluster()), Optional.of(command)), command);
        }
    }

    /** What the decider sees of the cluster's incarnation in force: nothing of a deleted one of the same name. */
    private ClusterObservation observe(String cluster) {
        List<String> members = instances.values().stream()
                .filter(i -> i.cluster().equals(cluster) && current(cluster, i.uid()))
                .map(InstanceRecord::instance).sorted().toList();
        Map<String, Heartbeat> beats = new HashMap<>();
        for (String member : members) {
            Heartbeat h = heartbeats.get(Topics.instanceKey(cluster, member));
            if (h != null && current(cluster, h.uid())) {
                beats.put(member, h);
            }
        }
        Instant now = Instant.now();
        PrimaryWatch watch = watch(cluster);
        return new ClusterObservation(cluster, members, beats, topologies.get(cluster), lastEpochs.getOrDefault(cluster, 0L),
                now, settings.heartbeatTimeout(), watch.healthyAt(), watch.unhealthyAt(now, settings.heartbeatTimeout()),
                watch.standbys(), failoverDelays.getOrDefault(cluster, Duration.ZERO), settings.lease(), watch.confirmed(),
                settings.promotionTimeout());
    }

    private void apply(String cluster, Decision decision, ClusterCommand command) {
        switch (decision) {
            case Decision.Unchanged u -> lastWaiting.remove(cluster);
            case Decision.Waiting w -> {
                if (!w.why().equals(lastWaiting.put(cluster, w.why()))) {
                    log.warn("cluster={} {}", cluster, w.why());
                    event(cluster, "failover.waiting", null, Map.of("message", w.why()));
                }
            }
            // within the command's trace when one caused it, else the root of a trace of its own
            case Decision.PublishTopology p -> KafkaTracing.inSpan("decide " + p.kind().name().toLowerCase(), cluster, true,
                    () -> publish(cluster, p, command));
            case Decision.AlreadyDone d -> event(cluster, "command.completed", command == null ? null : command.instance(),
                    Map.of("commandId", d.commandId(), "message", d.message()));
            case Decision.Rejected r -> {
                log.warn("cluster={} command {} rejected: {}", cluster, r.commandId(), r.reason());
                event(cluster, "command.rejected", command == null ? null : command.instance(),
                        Map.of("commandId", r.commandId(), "reason", r.reason()));
            }
            case Decision.Conflict c -> {
                if (!c.message().equals(lastWaiting.put(cluster, c.message()))) {
                    log.error("cluster={} {}", cluster, c.message());
                    event(cluster, "topology.conflict", null, Map.of("message", c.message()));
                }
            }
        }
    }

    private void publish(String cluster, Decision.PublishTopology p, ClusterCommand command) {
        Topology previous = topologies.get(cluster);
        String uid = uids.get(cluster);
        Topology next = p.next().withUid(uid == null || uid.isEmpty() ? null : uid);
        // read before adopting: adopting the new primary resets the watch
        Instant failedAt = p.kind() == Decision.Kind.FAILOVER
                ? Optional.ofNullable(watch(cluster).unhealthyAt(next.decidedAt(), settings.heartbeatTimeout())).orElse(next.decidedAt())
                : next.decidedAt();
        leader.publish(Topics.TOPOLOGY, cluster, next); // throws: nothing adopted, next pass decides again
        adopt(next);
        lastWaiting.remove(cluster);
        log.info("cluster={} epoch={} primary={} replicas={} fenced={}: {}", cluster, next.epoch(), next.primary(),
                next.replicas(), next.fenced(), p.message());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("epoch", next.epoch());
        data.put("primary", next.primary());
        data.put("replicas", next.replicas());
        data.put("fenced", next.fenced());
        data.put("message", p.message());
        if (command != null) {
            data.put("commandId", command.id());
        }
        if (previous != null && next.primary() != null && !next.primary().equals(previous.primary())) {
            transitions.started(cluster, new Transitions.Transition(p.kind(), previous.primary(), next.primary(), previous.timeline(),
                    failedAt, next.decidedAt(), next.epoch()));
            data.put("previousPrimary", previous.primary());
            metrics.decided(cluster, p.kind());
        }
        event(cluster, p.kind().eventType(), next.primary(), data);
    }

    /** FailoverCompleted / SwitchoverCompleted once the new primary reports itself primary on a new timeline. */
    private void reportCompletion(Heartbeat heartbeat) {
        transitions.onHeartbeat(heartbeat).ifPresent(done -> {
            Map<String, Object> data = done.data();
            log.info("cluster={} {} {} -> {} in {} ms", heartbeat.cluster(), done.type(), data.get("previousPrimary"),
                    data.get("primary"), data.get("totalMs"));
            metrics.completed(heartbeat.cluster(), done.kind(), done.total());
            event(heartbeat.cluster(), done.type(), heartbeat.instance(), data);
        });
    }

    private void event(String cluster, String type, String instance, Map<String, Object> data) {
        quietly(() -> bus.publish(Topics.EVENTS, cluster, PlatformEvent.of("failover-service", type, cluster, instance, data)));
    }

    private static void quietly(Runnable publish) {
        try {
            publish.run();
        } catch (EventBus.PublishException | NotLeaderException e) {
            log.warn("not published: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (leader != null) {
            leader.close(); // leaves the group (another replica takes over at once) and closes the inbox
        }
        if (heartbeatTailer != null) {
            heartbeatTailer.close();
        }
        if (stateTailer != null) {
            stateTailer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** For the HTTP view: this replica's name and role (STANDBY, CATCHING_UP, ACTIVE). */
    Map<String, String> leadership() {
        return Map.of("replica", settings.replicaName(),
                "state", leader == null ? Leadership.State.STANDBY.name() : leader.state().name());
    }

    /** For the HTTP view: the topology in force per cluster. */
    Map<String, Topology> topologies() {
        return Map.copyOf(topologies);
    }
}
