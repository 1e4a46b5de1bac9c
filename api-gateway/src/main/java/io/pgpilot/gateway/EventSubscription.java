package io.pgpilot.gateway;

import io.pgpilot.events.Json;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One SSE subscriber: its own KafkaConsumer on every partition of the events topic (manual
 * assignment), positioned at the resume point, the beginning or the end, on its own thread until
 * the client goes away (a failed write), the stream times out or the gateway stops.
 */
final class EventSubscription {

    private static final Logger log = LoggerFactory.getLogger(EventSubscription.class);

    private final String name;
    private final String bootstrapServers;
    private final EventFilter filter;
    private final Optional<StreamPosition> resume;
    private final boolean fromBeginning;
    private final Duration heartbeat;
    private final SseEmitter emitter;
    private final Consumer<EventSubscription> onEnd;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;

    EventSubscription(String name, String bootstrapServers, EventFilter filter, Optional<StreamPosition> resume,
                      boolean fromBeginning, Duration heartbeat, SseEmitter emitter, Consumer<EventSubscription> onEnd) {
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.filter = filter;
        this.resume = resume;
        this.fromBeginning = fromBeginning;
        this.heartbeat = heartbeat;
        this.emitter = emitter;
        this.onEnd = onEnd;
    }

    String name() {
        return name;
    }

    void start() {
        emitter.onCompletion(this::close);
        emitter.onTimeout(this::close);
        emitter.onError(e -> close());
        Thread.ofVirtual().name(name).start(this::run);
    }

    void close() {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a resume point already deleted by retention: from the oldest event still retained
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            consumer = c;
            if (!running) {
                return;
            }
            StreamPosition position = position(c);
            send(SseEmitter.event().comment("subscribed at " + position.id()));
            long lastWrite = System.nanoTime();
            while (running) {
                boolean wrote = false;
                for (ConsumerRecord<String, String> record : c.poll(Duration.ofMillis(250))) {
                    position = position.after(record.partition(), record.offset());
                    PlatformEvent event = read(record);
                    if (event != null && filter.matches(record.key(), event)) {
                        send(SseEmitter.event().id(position.id()).name(event.type()).data(record.value()));
                        wrote = true;
                    }
                }
                if (wrote) {
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite >= heartbeat.toNanos()) {
                    send(SseEmitter.event().comment("keep-alive"));
                    lastWrite = System.nanoTime();
                }
            }
        } catch (WakeupException | ClientGone e) {
            // the client went away or the stream ended
        } catch (RuntimeException e) {
            log.warn("event subscriber {} failed: {}", name, e.toString());
            emitter.completeWithError(e);
        } finally {
            running = false;
            consumer = null;
            emitter.complete();
            onEnd.accept(this);
        }
    }

    /** Assigns every partition and seeks: to the resume point, the beginning or the end. */
    private StreamPosition position(KafkaConsumer<String, String> c) {
        List<PartitionInfo> infos = c.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.EVENTS + " not found");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        c.assign(partitions);
        if (resume.isPresent()) {
            List<TopicPartition> unknown = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Long next = resume.get().next().get(tp.partition());
                if (next == null) {
                    unknown.add(tp); // a partition added since: everything on it is new to this client
                } else {
                    c.seek(tp, next);
                }
            }
            if (!unknown.isEmpty()) {
                c.seekToBeginning(unknown);
            }
        } else if (fromBeginning) {
            c.seekToBeginning(partitions);
        } else {
            c.seekToEnd(partitions);
        }
        Map<Integer, Long> next = new HashMap<>();
        for (TopicPartition tp : partitions) {
            next.put(tp.partition(), c.position(tp, Duration.ofSeconds(10)));
        }
        return new StreamPosition(next);
    }

    private static PlatformEvent read(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return Json.read(record.value(), PlatformEvent.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void send(SseEmitter.SseEventBuilder event) {
        try {
            emitter.send(event);
        } catch (IOException | IllegalStateException e) {
            throw new ClientGone();
        }
    }

    /** A write failed: the client is gone. */
    private static final class ClientGone extends RuntimeException {
        ClientGone() {
            super(null, null, false, false);
        }
    }
}
