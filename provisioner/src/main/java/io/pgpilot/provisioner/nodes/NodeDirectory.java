package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.provisioner.placement.NodeView;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The registered nodes as the placer sees them: the latest {@link NodeRecord} per node (topic
 * {@code pgpilot.nodes}, compacted, followed by a {@link KeyedViewFeed}) and when each was last heard
 * from by <em>this</em> process: a node's {@code lastSeen} is the local time at which a new
 * {@code heartbeatAt} of it was first seen, so the clocks of the nodes never matter.
 */
public final class NodeDirectory implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeDirectory.class);

    private final Supplier<Map<String, NodeRecord>> records;
    private final Clock clock;
    private final AutoCloseable feed;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(Instant heartbeatAt, Instant localTime) {
    }

    /** @param records the latest record per node (a {@link KeyedView}'s {@code all}, or a fixed map in tests) */
    public NodeDirectory(Supplier<Map<String, NodeRecord>> records, Clock clock, AutoCloseable feed) {
        this.records = records;
        this.clock = clock;
        this.feed = feed;
    }

    /**
     * Follows {@code pgpilot.nodes} from its beginning; waits up to {@code catchUp} for what the topic
     * held at start, so that the first reconcile after a restart finds the nodes of placed instances
     * (a node still missing makes its operations fail with a retryable reason).
     */
    public static NodeDirectory following(String bootstrapServers, Clock clock, java.time.Duration catchUp) {
        KeyedView<NodeRecord> view = new KeyedView<>(NodeRecord.class);
        KeyedViewFeed feed = new KeyedViewFeed(bootstrapServers, "provisioner-nodes", Map.of(Topics.NODES, view)).start();
        try {
            if (!feed.awaitCaughtUp(catchUp)) {
                log.warn("topic {} not read to its end within {}: nodes may be missing at first", Topics.NODES, catchUp);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new NodeDirectory(view::all, clock, feed);
    }

    public Optional<NodeRecord> record(String node) {
        return Optional.ofNullable(records.get().get(node));
    }

    /** Every registered node, sorted by name, with the local time it was last heard from. */
    public List<NodeView> views() {
        Instant now = clock.instant();
        return records.get().values().stream()
                .sorted(Comparator.comparing(NodeRecord::name))
                .map(r -> new NodeView(r.name(), r.zone(), r.capacity(), lastSeen(r, now)))
                .toList();
    }

    private Instant lastSeen(NodeRecord record, Instant now) {
        Instant heartbeat = record.heartbeatAt() != null ? record.heartbeatAt() : record.registeredAt();
        return seen.compute(record.name(), (name, previous) ->
                previous != null && java.util.Objects.equals(previous.heartbeatAt(), heartbeat) ? previous : new Seen(heartbeat, now))
                .localTime();
    }

    @Override
    public void close() throws Exception {
        if (feed != null) {
            feed.close();
        }
    }
}
