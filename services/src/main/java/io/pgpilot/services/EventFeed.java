package io.pgpilot.services;

import io.pgpilot.events.ClusterSpecRecord;
import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.Json;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.events.Topology;
import io.pgpilot.services.pooler.PoolerSupervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/** Follows the specs, instances and topology topics into the access layer, the pooler specs into the poolers. */
public final class EventFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventFeed.class);

    private final AccessLayer accessLayer;
    private final PoolerSupervisor poolers;
    private final TopicTailer tailer;
    private final Thread catchUp;
    private volatile boolean running = true;

    public EventFeed(String bootstrapServers, String clientId, AccessLayer accessLayer, PoolerSupervisor poolers) {
        this.accessLayer = accessLayer;
        this.poolers = poolers;
        this.tailer = new TopicTailer(bootstrapServers, clientId, Map.of(
                Topics.SPECS, TopicTailer.Start.BEGINNING,
                Topics.INSTANCES, TopicTailer.Start.BEGINNING,
                Topics.TOPOLOGY, TopicTailer.Start.BEGINNING,
                Topics.POOLER_SPECS, TopicTailer.Start.BEGINNING), this::handle);
        this.catchUp = Thread.ofPlatform().name("services-catch-up").daemon().unstarted(this::awaitCatchUp);
    }

    public EventFeed start() {
        tailer.start();
        catchUp.start();
        return this;
    }

    void handle(String topic, String key, String value) {
        switch (topic) {
            case Topics.SPECS -> {
                if (value != null) {
                    Json.read(value, ClusterSpecRecord.class); // unreadable specs are skipped by the tailer
                }
                accessLayer.onSpec(key, value != null);
            }
            case Topics.INSTANCES -> accessLayer.onInstance(key, value == null ? null : Json.read(value, InstanceRecord.class));
            case Topics.TOPOLOGY -> accessLayer.onTopology(key, value == null ? null : Json.read(value, Topology.class));
            case Topics.POOLER_SPECS -> poolers.onSpec(key, value == null ? null : Json.read(value, PoolerSpecRecord.class));
            default -> log.debug("ignoring record from {}", topic);
        }
    }

    private void awaitCatchUp() {
        try {
            while (running) {
                if (tailer.awaitCaughtUp(Duration.ofSeconds(30))) {
                    accessLayer.markCaughtUp();
                    poolers.markCaughtUp();
                    return;
                }
                log.warn("still replaying the state topics; endpoints are not changed until that is done");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        catchUp.interrupt();
        tailer.close();
    }
}
