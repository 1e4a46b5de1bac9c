package io.pgpilot.failover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Makes this replica the active decider when the group elects it, and a standby again at once
 * when it loses the election or is fenced. Taking over is, in this order: fence the previous
 * leader ({@link TopologyWriter#takeOver}), read the topology up to its end (epochs continue,
 * nothing the previous leader committed is missed), then {@code onActive}. Being deposed stops
 * decisions first ({@link Leadership#revoked}), then {@code onStandby} and the writer is dropped.
 */
final class FailoverLeader implements LeaderElection.Listener, AutoCloseable {

    /** Blocks until the replica's view holds everything committed to the state topics until now. */
    @FunctionalInterface
    interface CatchUp {
        boolean await(Duration timeout) throws InterruptedException;
    }

    private static final Logger log = LoggerFactory.getLogger(FailoverLeader.class);
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private final String replica;
    private final Leadership leadership = new Leadership();
    private final TopologyWriter writer;
    private final CatchUp catchUp;
    private final Runnable onActive;
    private final Runnable onStandby;
    private final ExecutorService takeOvers = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("take-over").daemon().factory());
    private volatile LeaderElection election;
    private volatile Instant electedAt;

    FailoverLeader(String replica, TopologyWriter writer, CatchUp catchUp, Runnable onActive, Runnable onStandby) {
        this.replica = replica;
        this.writer = writer;
        this.catchUp = catchUp;
        this.onActive = onActive;
        this.onStandby = onStandby;
    }

    FailoverLeader join(String bootstrapServers, Duration sessionTimeout) {
        election = new LeaderElection(bootstrapServers, replica, sessionTimeout, this).start();
        return this;
    }

    @Override
    public void elected() {
        long term = leadership.assigned();
        electedAt = Instant.now();
        log.info("replica={} elected failover leader (term {}): fencing the previous one and catching up", replica, term);
        takeOvers.execute(() -> takeOver(term));
    }

    private void takeOver(long term) {
        try {
            writer.takeOver();
            if (!catchUp.await(CATCH_UP)) {
                throw new IllegalStateException("the topology was not read up to its end within " + CATCH_UP.toSeconds() + " s");
            }
            if (leadership.caughtUp(term)) {
                log.info("replica={} is the active failover decider ({} ms after its election)", replica,
                        java.time.Duration.between(electedAt, Instant.now()).toMillis());
                onActive.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("replica={} could not take over as failover decider: resigning", replica, e);
            resign();
        }
    }

    @Override
    public void deposed(String why) {
        if (leadership.revoked()) {
            log.warn("replica={} no longer decides: {}", replica, why);
            try {
                onStandby.run();
            } finally {
                writer.release();
            }
        }
    }

    /**
     * Fenced or the writer broke: stop deciding now and let the group elect again. Called from a
     * deciding thread (which may hold the decision lock or be the inbox's own), so the inbox is
     * closed on another thread.
     */
    void resign() {
        if (leadership.revoked()) {
            log.warn("replica={} no longer decides: resigned", replica);
            writer.release();
            takeOvers.execute(onStandby);
        }
        LeaderElection e = election;
        if (e != null) {
            e.resign();
        }
    }

    boolean active() {
        return leadership.active();
    }

    Leadership.State state() {
        return leadership.state();
    }

    /** Publishes a topology record when active; a fenced replica resigns. */
    void publish(String topic, String key, Object value) {
        if (!leadership.active()) {
            throw new NotLeaderException("replica " + replica + " is not the active decider");
        }
        try {
            writer.publish(topic, key, value);
        } catch (NotLeaderException e) {
            log.warn("replica={} {}", replica, e.getMessage());
            resign();
            throw e;
        }
    }

    @Override
    public void close() {
        LeaderElection e = election;
        if (e != null) {
            e.close(); // leaves the group: another replica takes over at once
        }
        deposed("closing");
        takeOvers.shutdownNow();
        writer.close();
    }
}
