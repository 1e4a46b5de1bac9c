package io.pgpilot.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows whole topics without a consumer group: every process builds its own view of the
 * compacted state topics (from the beginning) or of the live streams (from the end). One thread.
 * A record that carries a trace context is handled inside a consumer span of that trace
 * ({@link KafkaTracing#process}); the replay of what was in the topics at start is not traced.
 */
public final class TopicTailer implements AutoCloseable {

    public enum Start { BEGINNING, END }

    @FunctionalInterface
    public interface Handler {
        /** {@code value} is null for a tombstone. */
        void handle(String topic, String key, String value);
    }

    private static final Logger log = LoggerFactory.getLogger(TopicTailer.class);

    private final KafkaConsumer<String, String> consumer;
    private final Map<String, Start> topics;
    private final Handler handler;
    private final String clientId;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** Callers of {@link #sync} waiting for the tailer to reach the end offsets as of their call. */
    private final java.util.concurrent.ConcurrentLinkedQueue<CountDownLatch> syncRequests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    public TopicTailer(String bootstrapServers, String clientId, Map<String, Start> topics, Handler handler) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        this.consumer = new KafkaConsumer<>(props);
        this.topics = Map.copyOf(topics);
        this.handler = handler;
        this.clientId = clientId;
        this.thread = Thread.ofPlatform().name("tail-" + clientId).daemon().unstarted(this::run);
    }

    public TopicTailer start() {
        thread.start();
        return this;
    }

    /** Blocks until everything that was in the BEGINNING topics at start has been handled. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Blocks until everything in the BEGINNING topics at the time of this call (up to their last
     * stable offset: only committed transactions count) has been handled; false on timeout.
     */
    public boolean sync(Duration timeout) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        syncRequests.add(done);
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            List<TopicPartition> fromStart = new ArrayList<>();
            List<TopicPartition> fromEnd = new ArrayList<>();
            for (var entry : topics.entrySet()) {
                List<PartitionInfo> partitions = awaitPartitions(entry.getKey());
                for (PartitionInfo p : partitions) {
                    (entry.getValue() == Start.BEGINNING ? fromStart : fromEnd).add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            List<TopicPartition> all = new ArrayList<>(fromStart);
            all.addAll(fromEnd);
            consumer.assign(all);
            // an empty collection would mean "all assigned partitions" to both seek calls
            if (!fromStart.isEmpty()) {
                consumer.seekToBeginning(fromStart);
            }
            if (!fromEnd.isEmpty()) {
                consumer.seekToEnd(fromEnd);
            }
            Map<TopicPartition, Long> targets = new HashMap<>(consumer.endOffsets(fromStart));
            // records already there at start are a replay of state, not work caused now: not traced
            Map<TopicPartition, Long> replayEnds = Map.copyOf(targets);
            for (TopicPartition tp : fromEnd) {
                consumer.position(tp);
            }
            List<Map.Entry<CountDownLatch, Map<TopicPartition, Long>>> syncs = new ArrayList<>();
            while (running) {
                for (CountDownLatch request; (request = syncRequests.poll()) != null; ) {
                    syncs.add(Map.entry(request, new HashMap<>(consumer.endOffsets(fromStart))));
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        Long replayEnd = replayEnds.get(new TopicPartition(record.topic(), record.partition()));
                        if (replayEnd != null && record.offset() < replayEnd) {
                            handler.handle(record.topic(), record.key(), record.value());
                        } else {
                            KafkaTracing.process(record.topic(), record.partition(), record.offset(), record.key(),
                                    record.headers(), clientId, () -> handler.handle(record.topic(), record.key(), record.value()));
                        }
                    } catch (RuntimeException e) {
                        log.warn("skipping unreadable record on {} key {}: {}", record.topic(), record.key(), e.toString());
                    }
                }
                syncs.removeIf(sync -> {
                    sync.getValue().entrySet().removeIf(t -> consumer.position(t.getKey()) >= t.getValue());
                    if (sync.getValue().isEmpty()) {
                        sync.getKey().countDown();
                        return true;
                    }
                    return false;
                });
                if (caughtUp.getCount() > 0) {
                    targets.entrySet().removeIf(t -> consumer.position(t.getKey()) >= t.getValue());
                    if (targets.isEmpty()) {
                        caughtUp.countDown();
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("topic tailer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * A missing topic answers at once with no partitions, a slow broker not within 10 s: ask again
     * every 200 ms (not in a tight loop) and say so every 10 s, until it answers with the topic's
     * partitions (topics are created by every service at start).
     */
    private List<PartitionInfo> awaitPartitions(String topic) {
        long lastLog = 0;
        while (running) {
            List<PartitionInfo> partitions;
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException slow) {
                // a broker still starting (or loaded) answers late: wait on, a tailer that stops here never comes back
                partitions = null;
            }
            if (partitions != null && !partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() - lastLog > 10_000_000_000L) {
                log.info("waiting for topic {}", topic);
                lastLog = System.nanoTime();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
