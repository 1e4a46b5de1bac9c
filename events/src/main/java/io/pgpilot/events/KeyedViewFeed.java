package io.pgpilot.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Follows compacted topics from the beginning into their {@link KeyedView}s on one consumer thread. */
public final class KeyedViewFeed implements AutoCloseable {

    private final TopicTailer tailer;

    public KeyedViewFeed(String bootstrapServers, String clientId, Map<String, KeyedView<?>> views) {
        Map<String, TopicTailer.Start> topics = new HashMap<>();
        views.keySet().forEach(t -> topics.put(t, TopicTailer.Start.BEGINNING));
        Map<String, KeyedView<?>> byTopic = Map.copyOf(views);
        this.tailer = new TopicTailer(bootstrapServers, clientId, topics, (topic, key, value) -> {
            KeyedView<?> view = byTopic.get(topic);
            if (view != null) {
                view.apply(key, value);
            }
        });
    }

    public KeyedViewFeed start() {
        tailer.start();
        return this;
    }

    /** Blocks until everything that was in the topics at start has been applied. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return tailer.awaitCaughtUp(timeout);
    }

    @Override
    public void close() {
        tailer.close();
    }
}
