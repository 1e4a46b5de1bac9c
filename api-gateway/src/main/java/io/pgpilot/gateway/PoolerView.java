package io.pgpilot.gateway;

import io.pgpilot.events.Json;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The gateway's read model of poolers: accepted specs and what the services module runs for them. */
@Component
class PoolerView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final Map<String, PoolerSpecRecord> specs = new ConcurrentHashMap<>();
    private final Map<String, PoolerStatusRecord> statuses = new ConcurrentHashMap<>();
    private TopicTailer tailer;
    private volatile boolean running;

    PoolerView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        tailer = new TopicTailer(platform.kafkaBootstrapServers(), "gateway-poolers", Map.of(
                Topics.POOLER_SPECS, TopicTailer.Start.BEGINNING,
                Topics.POOLER_STATUS, TopicTailer.Start.BEGINNING), this::apply).start();
        try {
            if (!tailer.awaitCaughtUp(Duration.ofSeconds(60))) {
                throw new IllegalStateException("could not read the poolers from Kafka within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        running = true;
    }

    private void apply(String topic, String key, String value) {
        if (key == null) {
            return;
        }
        switch (topic) {
            case Topics.POOLER_SPECS -> {
                if (value == null) {
                    specs.remove(key);
                } else {
                    specs.put(key, Json.read(value, PoolerSpecRecord.class));
                }
            }
            case Topics.POOLER_STATUS -> {
                if (value == null) {
                    statuses.remove(key);
                } else {
                    statuses.put(key, Json.read(value, PoolerStatusRecord.class));
                }
            }
            default -> {
            }
        }
    }

    /** What this gateway itself published, visible at once (read-your-writes). */
    void accepted(String pooler, PoolerSpecRecord spec) {
        if (spec == null) {
            specs.remove(pooler);
        } else {
            specs.put(pooler, spec);
        }
    }

    Map<String, PoolerSpecRecord> specs() {
        return Map.copyOf(specs);
    }

    Optional<PoolerSpecRecord> spec(String pooler) {
        return Optional.ofNullable(specs.get(pooler));
    }

    Optional<PoolerStatusRecord> status(String pooler) {
        return Optional.ofNullable(statuses.get(pooler));
    }

    @Override
    public void stop() {
        running = false;
        if (tailer != null) {
            tailer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
