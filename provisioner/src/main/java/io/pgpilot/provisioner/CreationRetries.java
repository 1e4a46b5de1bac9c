package io.pgpilot.provisioner;

import io.pgpilot.events.Backoff;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster whose first primary could not be created (no node registered yet, a node that did not
 * answer, initdb or start failing; not a failed recovery, which is reported and left) is reconciled again later instead of waiting for the next spec:
 * 2 s, doubling up to 60 s while it keeps failing. The retry is the caller's (it re-submits the same
 * spec, and drops it when the cluster was deleted or got a newer spec meanwhile).
 */
final class CreationRetries implements AutoCloseable {

    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));

    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("creation-retries").daemon().factory());

    /** The wait before the {@code attempt}-th retry (1: the first). Pure. */
    static Duration delay(int attempt) {
        return BACKOFF.delay(attempt);
    }

    /** Schedules {@code retry} after the cluster's next delay; returns that delay. */
    Duration schedule(String cluster, Runnable retry) {
        Duration delay = delay(attempts.merge(cluster, 1, Integer::sum));
        if (!timer.isShutdown()) {
            timer.schedule(retry, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        return delay;
    }

    /** The primary exists (or the cluster is gone): the next failure starts from the first delay again. */
    void reset(String cluster) {
        attempts.remove(cluster);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
