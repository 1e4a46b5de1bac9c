package io.pgpilot.failover;

import io.pgpilot.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

/**
 * Kafka adapter of the leader election: every replica joins one consumer group on the
 * one-partition topic {@link Topics#FAILOVER_LEADER} (never written) and the member assigned the
 * partition leads. The sticky cooperative assignor keeps the partition where it is when a replica
 * joins; a replica that dies is dropped after the session timeout, one that closes leaves at once.
 * The listener is called on this adapter's thread and must not block for long.
 */
final class LeaderElection implements AutoCloseable {

    interface Listener {
        void elected();

        void deposed(String why);
    }

    static final String GROUP = "pgpilot-failover-leader";

    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final KafkaConsumer<String, String> consumer;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean resign;

    LeaderElection(String bootstrapServers, String replica, Duration sessionTimeout, Listener listener) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "failover-leader-" + replica);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(sessionTimeout.toMillis()));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(100, sessionTimeout.toMillis() / 6)));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        this.listener = listener;
        this.thread = Thread.ofPlatform().name("leader-election").daemon().unstarted(this::run);
    }

    LeaderElection start() {
        thread.start();
        return this;
    }

    /** Gives the leadership up (leaves the group and joins again): another replica, or this one, is elected. */
    void resign() {
        resign = true;
        consumer.wakeup();
    }

    /**
     * The leader is the owner of partition 0 (only that one counts should the topic have been
     * auto-created with more partitions: two owners of two partitions must not both lead).
     */
    private static final TopicPartition LEADER = new TopicPartition(Topics.FAILOVER_LEADER, 0);

    private final ConsumerRebalanceListener rebalance = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.contains(LEADER)) {
                listener.deposed("the leader partition was revoked");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.contains(LEADER)) {
                listener.deposed("the leader partition was lost (this replica missed its session)");
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.contains(LEADER)) {
                listener.elected();
            }
        }
    };

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.FAILOVER_LEADER), rebalance);
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    if (!running) {
                        break;
                    }
                }
                if (resign && running) {
                    resign = false;
                    log.warn("resigning the failover leadership");
                    consumer.unsubscribe(); // calls onPartitionsRevoked, leaves the group
                    consumer.subscribe(List.of(Topics.FAILOVER_LEADER), rebalance);
                }
            }
        } catch (RuntimeException e) {
            log.error("leader election stopped: this replica no longer decides", e);
            listener.deposed("the leader election stopped: " + e);
        } finally {
            consumer.close(Duration.ofSeconds(2)); // leaves the group: the partition moves at once
        }
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
