package io.pgpilot.health;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.instance.probe.SuperuserSecrets;
import io.pgpilot.support.metrics.MetricsRenderer;
import io.pgpilot.support.metrics.MetricsRenderer.Sample;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Collects every known instance's metrics at scrape time, in parallel on virtual threads, each
 * bounded by the probe timeout; an instance that does not answer in time is reported with
 * {@code cnpg_collector_up 0}. Results younger than {@code min-age} are served from cache so that
 * several Prometheus servers do not multiply the load. Runs on the HTTP thread, never on the
 * heartbeat loop, with its own connections.
 */
@Component
class InstanceMetricsCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceMetricsCollector.class);
    private static final Duration MIN_AGE = Duration.ofMillis(900);

    private final HeartbeatLoop loop;
    private final HealthProperties health;
    private final SuperuserSecrets secrets;
    private final Map<String, InstanceMetricsQuery> queries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private long cachedAtNanos;
    private String cached;

    InstanceMetricsCollector(HeartbeatLoop loop, HealthProperties health, PlatformProperties platform) {
        this.loop = loop;
        this.health = health;
        this.secrets = new SuperuserSecrets(platform.home());
    }

    synchronized String scrape() {
        if (cached != null && System.nanoTime() - cachedAtNanos < MIN_AGE.toNanos()) {
            return cached;
        }
        cached = MetricsRenderer.render(collect());
        cachedAtNanos = System.nanoTime();
        return cached;
    }

    private List<Sample> collect() {
        io.pgpilot.events.PlatformState view = loop.view();
        List<InstanceRecord> instances = view.instancesByCluster().values().stream().flatMap(List::stream)
                .filter(i -> i.phase() != InstanceRecord.Phase.CREATING)
                .sorted(java.util.Comparator.comparing(InstanceRecord::cluster).thenComparing(InstanceRecord::instance))
                .toList();
        List<Future<InstanceStats>> pending = instances.stream().map(i -> threads.submit(() -> stats(i))).toList();
        long deadline = System.nanoTime() + health.probeTimeout().plusMillis(500).toNanos();
        List<Sample> samples = new ArrayList<>();
        for (int n = 0; n < instances.size(); n++) {
            InstanceRecord instance = instances.get(n);
            InstanceStats stats = null;
            try {
                stats = pending.get(n).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                pending.get(n).cancel(true);
                noteFailure(instance, e.getCause() != null ? e.getCause() : e);
            }
            if (stats != null && failing.remove(key(instance)) != null) {
                log.info("cluster={} instance={} metrics collected again", instance.cluster(), instance.instance());
            }
            boolean fenced = java.util.Optional.ofNullable(view.topology(instance.cluster())).map(t -> t.fenced() != null && t.fenced().contains(instance.instance()))
                    .orElse(false);
            samples.addAll(InstanceSamples.of(instance.cluster(), instance.instance(), fenced, stats));
        }
        queries.keySet().removeIf(k -> {
            boolean gone = instances.stream().noneMatch(i -> key(i).equals(k));
            if (gone) {
                InstanceMetricsQuery q = queries.get(k);
                synchronized (q) {
                    q.close();
                }
            }
            return gone;
        });
        return samples;
    }

    private InstanceStats stats(InstanceRecord instance) throws SQLException {
        InstanceMetricsQuery query = queries.get(key(instance));
        if (query == null) {
            var credentials = secrets.forCluster(instance.cluster())
                    .orElseThrow(() -> new SQLException("no superuser secret for cluster yet"));
            query = queries.computeIfAbsent(key(instance), k -> new InstanceMetricsQuery(instance.host(), instance.port(),
                    credentials.username(), credentials.password(), health.probeTimeout()));
        }
        synchronized (query) {
            return query.collect();
        }
    }

    private void noteFailure(InstanceRecord instance, Throwable e) {
        if (failing.put(key(instance), true) == null) {
            String message = e instanceof SQLException s
                    ? (s.getSQLState() == null ? "" : s.getSQLState() + " ") + String.valueOf(s.getMessage()).lines().findFirst().orElse("")
                    : e.getClass().getSimpleName();
            log.warn("cluster={} instance={} metrics not collected: {}", instance.cluster(), instance.instance(), message);
        }
    }

    private static String key(InstanceRecord i) {
        return Topics.instanceKey(i.cluster(), i.instance());
    }

    @Override
    public void close() {
        threads.shutdownNow();
        queries.values().forEach(q -> {
            synchronized (q) {
                q.close();
            }
        });
    }
}
