package io.pgpilot.failover;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The only writer of topology decisions: one transaction per record with a transactional id that
 * is the same for every replica. {@link #takeOver} (initTransactions) is called only by a replica
 * the group just elected; it aborts whatever the previous leader left open and fences it, so a
 * late write from a paused or deposed replica fails and is never visible to read_committed
 * readers (every reader of the topology is a {@code TopicTailer}, which reads read_committed).
 */
final class TopologyWriter implements AutoCloseable {

    static final String TRANSACTIONAL_ID = "pgpilot-failover";

    private static final Logger log = LoggerFactory.getLogger(TopologyWriter.class);

    private final String bootstrapServers;
    private final String transactionalId;
    private final Duration sendTimeout;
    private KafkaProducer<String, String> producer;

    TopologyWriter(String bootstrapServers, String transactionalId, Duration sendTimeout) {
        this.bootstrapServers = bootstrapServers;
        this.transactionalId = transactionalId;
        this.sendTimeout = sendTimeout;
    }

    /** Fences every earlier holder of the transactional id; only ever after this replica was elected. */
    synchronized void takeOver() {
        release();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), 1500)));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), 1000)));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), 10_000)));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        KafkaProducer<String, String> fresh = new KafkaProducer<>(props);
        try {
            fresh.initTransactions();
        } catch (RuntimeException e) {
            fresh.close(Duration.ZERO);
            throw e;
        }
        producer = fresh;
    }

    /**
     * Publishes one record (a null value is a tombstone) in a transaction of its own.
     *
     * @throws NotLeaderException        fenced by a newer leader, or never took over: never retry here
     * @throws EventBus.PublishException Kafka did not take it, the transaction was aborted; the next pass decides again
     */
    synchronized void publish(String topic, String key, Object value) {
        if (producer == null) {
            throw new NotLeaderException("this replica holds no topology writer (not the elected decider)");
        }
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value == null ? null : Json.write(value));
        // the same producer span and trace context in the headers as every other publish (EventBus)
        io.opentelemetry.api.trace.Span span = io.pgpilot.events.KafkaTracing.startProducer(topic, key);
        try (io.opentelemetry.context.Scope ignored = span == null ? null : span.makeCurrent()) {
            if (span != null) {
                io.pgpilot.events.KafkaTracing.inject(io.opentelemetry.context.Context.current(), record.headers());
            }
            producer.beginTransaction();
            producer.send(record).get(sendTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            producer.commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw abort(topic, key, e);
        } catch (ExecutionException e) {
            throw abort(topic, key, e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw abort(topic, key, e);
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    private RuntimeException abort(String topic, String key, Throwable cause) {
        if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
            release();
            return new NotLeaderException("fenced by a newer failover leader: " + topic + " " + key + " not published", cause);
        }
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
                release();
                return new NotLeaderException("fenced by a newer failover leader: " + topic + " " + key + " not published", e);
            }
            // the producer is unusable: re-initialising it could fence a newer leader, so this replica resigns
            log.warn("topology writer unusable after {}: {}", cause, e.toString());
            release();
            return new NotLeaderException("the topology writer failed; resigning", e);
        }
        return new EventBus.PublishException(topic, key, cause);
    }

    /** Drops the producer (deposed or closing): nothing more is published until the next {@link #takeOver}. */
    synchronized void release() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
            producer = null;
        }
    }

    synchronized boolean holding() {
        return producer != null;
    }

    @Override
    public void close() {
        release();
    }
}
