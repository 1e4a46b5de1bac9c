package io.pgpilot.provisioner;

import io.opentelemetry.context.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One thread per cluster: every step for a cluster (reconcile, convergence, deletion) runs there,
 * in order, so the steps of one cluster never overlap while clusters proceed independently. A
 * failed step is logged, never thrown at the submitter.
 */
final class ClusterThreads {

    private static final Logger log = LoggerFactory.getLogger(ClusterThreads.class);

    private final Map<String, ExecutorService> executors = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Runs {@code work} on the cluster's thread, in the caller's trace context. */
    Future<?> submit(String cluster, Runnable work) {
        return executor(cluster).submit(Context.current().wrap(() -> guarded(cluster, work)));
    }

    boolean closed() {
        return closed;
    }

    /** No new work from now on ({@link #submit} throws IllegalStateException). */
    void stopTaking() {
        closed = true;
    }

    /** Lets the steps already submitted end (at most 60 s per cluster, then interrupted). */
    void drain() {
        executors.values().forEach(ExecutorService::shutdown);
        for (ExecutorService executor : executors.values()) {
            try {
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ExecutorService executor(String cluster) {
        if (closed) {
            throw new IllegalStateException("provisioner is shutting down");
        }
        return executors.computeIfAbsent(cluster, c -> Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("reconcile-" + c).factory()));
    }

    private static void guarded(String cluster, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("cluster={} reconcile failed: {}", cluster, e.getMessage(), e);
        }
    }
}
