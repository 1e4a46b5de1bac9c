package io.pgpilot.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Follows the platform's state topics into one {@link PlatformState}: the compacted topics from the
 * beginning, heartbeats (when followed) from the end on their own consumer so a burst of heartbeats
 * never delays a topology change. A listener hears of every change after it is applied.
 */
public final class PlatformStateFeed implements AutoCloseable {

    @FunctionalInterface
    public interface Listener {
        void changed(PlatformState.Change change, String key);
    }

    private final PlatformState state;
    private final TopicTailer compacted;
    private final TopicTailer live;

    public PlatformStateFeed(String bootstrapServers, String clientId, Set<String> topics, Listener listener) {
        this.state = new PlatformState(topics);
        Map<String, TopicTailer.Start> fromStart = new HashMap<>();
        topics.stream().filter(t -> !t.equals(Topics.HEARTBEATS)).forEach(t -> fromStart.put(t, TopicTailer.Start.BEGINNING));
        TopicTailer.Handler handler = (topic, key, value) -> {
            PlatformState.Change change = state.apply(topic, key, value);
            if (change != PlatformState.Change.NONE && listener != null) {
                listener.changed(change, key);
            }
        };
        this.compacted = fromStart.isEmpty() ? null : new TopicTailer(bootstrapServers, clientId + "-state", fromStart, handler);
        this.live = topics.contains(Topics.HEARTBEATS)
                ? new TopicTailer(bootstrapServers, clientId + "-heartbeats", Map.of(Topics.HEARTBEATS, TopicTailer.Start.END), handler)
                : null;
    }

    public PlatformStateFeed start() {
        if (compacted != null) {
            compacted.start();
        }
        if (live != null) {
            live.start();
        }
        return this;
    }

    /** Blocks until everything that was in the compacted topics at start has been applied. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return compacted == null || compacted.awaitCaughtUp(timeout);
    }

    public PlatformState state() {
        return state;
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
        if (compacted != null) {
            compacted.close();
        }
    }
}
