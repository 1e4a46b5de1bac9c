package io.pgpilot.failover;

import io.pgpilot.events.ClusterCommand;
import io.pgpilot.events.Json;
import io.pgpilot.events.KafkaTracing;
import io.pgpilot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Commands are consumed in a consumer group with offsets committed only after handling: a command
 * published while the failover service was down is handled when it is back, never twice in a row
 * once handled, and handling is idempotent should Kafka redeliver. Only the active decider runs
 * an inbox ({@link FailoverLeader}); a handler that finds this replica deposed
 * ({@link NotLeaderException}) stops the inbox without committing, so the new leader handles the command.
 */
final class CommandInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandInbox.class);

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    CommandInbox(String bootstrapServers, Consumer<ClusterCommand> handler) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "pgpilot-failover-service");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        consumer = new KafkaConsumer<>(props);
        thread = Thread.ofPlatform().name("commands").daemon().unstarted(() -> run(handler));
    }

    CommandInbox start() {
        thread.start();
        return this;
    }

    private void run(Consumer<ClusterCommand> handler) {
        try {
            consumer.subscribe(List.of(Topics.COMMANDS));
            polling:
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        // a command from the gateway carries the request's trace: decisions continue it
                        KafkaTracing.process(record.topic(), record.partition(), record.offset(), record.key(), record.headers(),
                                "failover-commands", () -> handler.accept(Json.read(record.value(), ClusterCommand.class)));
                    } catch (NotLeaderException e) {
                        log.info("cluster={} command left to the active decider: {}", record.key(), e.getMessage());
                        break polling; // nothing committed
                    } catch (RuntimeException e) {
                        log.warn("cluster={} command not handled: {}", record.key(), e.toString());
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (Thread.currentThread() == thread) {
            return; // the loop ends on its own
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
