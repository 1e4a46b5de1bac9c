package io.pgpilot.backup;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.PlatformStateFeed;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Set;

/**
 * Topology, inventory and the latest heartbeats of each cluster's incarnation in force, to pick the
 * instance a base backup is taken from (the platform's one state view, {@link PlatformStateFeed}).
 */
@Component
class ClusterStateView implements SmartLifecycle {

    private final PlatformProperties platform;
    private PlatformStateFeed feed;
    private volatile boolean running;

    ClusterStateView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        feed = new PlatformStateFeed(platform.kafkaBootstrapServers(), "backup-service",
                Set.of(Topics.SPECS, Topics.TOPOLOGY, Topics.INSTANCES, Topics.HEARTBEATS), null).start();
        running = true;
    }

    Topology topology(String cluster) {
        return feed.state().topology(cluster);
    }

    Map<String, InstanceRecord> instances(String cluster) {
        return feed.state().instances(cluster);
    }

    Map<String, Heartbeat> heartbeats(String cluster) {
        return feed.state().heartbeats(cluster);
    }

    @Override
    public void stop() {
        running = false;
        if (feed != null) {
            feed.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
