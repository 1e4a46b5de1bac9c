package io.pgpilot.gateway;

import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.Map;

/**
 * A gateway read model made of {@link KeyedView}s of compacted topics: started with the gateway,
 * which answers only once what the topics held has been read.
 */
abstract class KeyedViews implements SmartLifecycle {

    private final PlatformProperties platform;
    private final String clientId;
    private final Map<String, KeyedView<?>> views;
    private KeyedViewFeed feed;
    private volatile boolean running;

    KeyedViews(PlatformProperties platform, String clientId, Map<String, KeyedView<?>> views) {
        this.platform = platform;
        this.clientId = clientId;
        this.views = Map.copyOf(views);
    }

    @Override
    public void start() {
        feed = new KeyedViewFeed(platform.kafkaBootstrapServers(), clientId, views).start();
        try {
            if (!feed.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read " + views.keySet() + " from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        running = true;
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
