package io.pgpilot.gateway;

import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The gateway's read model of poolers: accepted specs and what the services module runs for them. */
@Component
class PoolerView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final KeyedView<PoolerSpecRecord> specs = new KeyedView<>(PoolerSpecRecord.class);
    private final KeyedView<PoolerStatusRecord> statuses = new KeyedView<>(PoolerStatusRecord.class);
    private KeyedViewFeed feed;
    private volatile boolean running;

    PoolerView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        feed = start(platform, "gateway-poolers", Map.of(Topics.POOLER_SPECS, specs, Topics.POOLER_STATUS, statuses));
        running = true;
    }

    /** Starts a feed of the given views and waits until it has read what the topics held (the gateway answers from them). */
    static KeyedViewFeed start(PlatformProperties platform, String clientId, Map<String, KeyedView<?>> views) {
        KeyedViewFeed feed = new KeyedViewFeed(platform.kafkaBootstrapServers(), clientId, views).start();
        try {
            if (!feed.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read " + views.keySet() + " from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return feed;
    }

    /** What this gateway itself published, visible at once (read-your-writes). */
    void accepted(String pooler, PoolerSpecRecord spec) {
        specs.accepted(pooler, spec);
    }

    Map<String, PoolerSpecRecord> specs() {
        return specs.all();
    }

    Optional<PoolerSpecRecord> spec(String pooler) {
        return specs.get(pooler);
    }

    Optional<PoolerStatusRecord> status(String pooler) {
        return statuses.get(pooler);
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
