package io.pgpilot.gateway;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.EndpointsRecord;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.events.PlatformState;
import io.pgpilot.events.PlatformStateFeed;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topology;
import io.pgpilot.gateway.security.AuditTrail;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's read model: the platform state ({@link PlatformStateFeed}: specs, topology,
 * inventory, endpoints, heartbeats of the incarnation in force) and the latest event per cluster.
 */
@Component
class PlatformView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final Map<String, ClusterStatus.LastEvent> lastEvents = new ConcurrentHashMap<>();
    private PlatformStateFeed feed;
    private TopicTailer events;
    private volatile boolean running;

    PlatformView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        feed = new PlatformStateFeed(platform.kafkaBootstrapServers(), "gateway", Set.of(Topics.SPECS, Topics.TOPOLOGY,
                Topics.INSTANCES, Topics.ENDPOINTS, Topics.HEARTBEATS), null).start();
        // the latest event per cluster, for the status' progress (not awaited: status works without it)
        events = new TopicTailer(platform.kafkaBootstrapServers(), "gateway-last-events",
                Map.of(Topics.EVENTS, TopicTailer.Start.BEGINNING), this::applyEvent).start();
        try {
            if (!feed.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read the platform state from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        running = true;
    }

    private void applyEvent(String topic, String key, String value) {
        PlatformEvent read = key == null || value == null ? null : Json.read(value, PlatformEvent.class);
        // audit records say who called the API, not how the cluster is doing
        if (read != null && !(PlatformEvent.PREFIX + AuditTrail.TYPE).equals(read.type())) {
            ClusterStatus.LastEvent event = lastEvent(read);
            lastEvents.merge(key, event, (old, fresh) -> fresh.time() != null && old.time() != null
                    && fresh.time().isBefore(old.time()) ? old : fresh);
        }
    }

    static ClusterStatus.LastEvent lastEvent(PlatformEvent event) {
        Map<String, Object> data = event.data() == null ? Map.of() : event.data();
        Object message = data.getOrDefault("message", data.get("reason"));
        return new ClusterStatus.LastEvent(event.type(), event.instance(), message == null ? null : String.valueOf(message),
                event.time(), data.get("step") instanceof Number n ? n.intValue() : null,
                data.get("of") instanceof Number n ? n.intValue() : null);
    }

    private PlatformState state() {
        return feed.state();
    }

    /** Records that this gateway itself published, visible at once (read-your-writes). */
    void accepted(String cluster, ClusterSpecRecord spec) {
        state().accepted(cluster, spec);
    }

    Map<String, ClusterSpecRecord> specs() {
        return state().specs();
    }

    Optional<ClusterSpecRecord> spec(String cluster) {
        return state().spec(cluster);
    }

    /** The topology of the incarnation in force only: a deleted cluster's topology is not this one's. */
    Topology topology(String cluster) {
        return state().topology(cluster);
    }

    EndpointsRecord endpoints(String cluster) {
        return state().endpoints(cluster);
    }

    Map<String, InstanceRecord> instances(String cluster) {
        return state().instances(cluster);
    }

    ClusterStatus.LastEvent lastEvent(String cluster) {
        return lastEvents.get(cluster);
    }

    Map<String, Heartbeat> heartbeats(String cluster) {
        return state().heartbeats(cluster);
    }

    @Override
    public void stop() {
        running = false;
        if (events != null) {
            events.close();
        }
        if (feed != null) {
            feed.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
