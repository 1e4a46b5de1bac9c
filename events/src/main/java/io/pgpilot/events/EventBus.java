package io.pgpilot.events;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes records as JSON, keyed by cluster; a send returns once the broker has it (acks=all). */
public final class EventBus implements AutoCloseable {

    /** Thrown when Kafka did not take a record: callers decide whether that is fatal. */
    public static final class PublishException extends RuntimeException {
        public PublishException(String topic, String key, Throwable cause) {
            super("could not publish to " + topic + " (key " + key + "): " + cause.getMessage(), cause);
        }
    }

    private final KafkaProducer<String, String> producer;
    private final Duration sendTimeout;

    public EventBus(String bootstrapServers, String clientId, Duration sendTimeout) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), 1500)));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(sendTimeout.toMillis(), 1000)));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(sendTimeout.toMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        this.sendTimeout = sendTimeout;
    }

    public void publish(String topic, String key, Object value) {
        send(topic, key, value == null ? null : Json.write(value));
    }

    /** A null value: deletes the key from a compacted topic. */
    public void tombstone(String topic, String key) {
        send(topic, key, null);
    }

    /**
     * Within a trace, the record carries its W3C trace context ({@code traceparent}) in its headers
     * under a producer span; outside one it is sent exactly as before, without headers.
     */
    private void send(String topic, String key, String json) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, json);
        Span span = KafkaTracing.startProducer(topic, key);
        try (Scope ignored = span == null ? null : span.makeCurrent()) {
            if (span != null) {
                KafkaTracing.inject(Context.current(), record.headers());
            }
            producer.send(record).get(sendTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(span, new PublishException(topic, key, e));
        } catch (ExecutionException e) {
            throw failed(span, new PublishException(topic, key, e.getCause()));
        } catch (TimeoutException | RuntimeException e) {
            throw failed(span, new PublishException(topic, key, e));
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    private static PublishException failed(Span span, PublishException e) {
        if (span != null) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
        }
        return e;
    }

    /** Creates the platform's topics where missing; safe to call from every service at start. */
    public static void ensureTopics(String bootstrapServers, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topics.TopicSpec spec : Topics.ALL) {
                if (existing.contains(spec.name())) {
                    continue;
                }
                try {
                    admin.createTopics(java.util.List.of(new NewTopic(spec.name(), spec.partitions(), replicationFactor)
                            .configs(spec.config()))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + spec.name(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " is not reachable", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
