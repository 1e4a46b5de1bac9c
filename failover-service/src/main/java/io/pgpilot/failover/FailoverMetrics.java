package io.pgpilot.failover;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Topics;
import io.pgpilot.support.metrics.Meters;
import io.pgpilot.support.metrics.MetricCatalog;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failover service's control-plane metrics: failovers and switchovers decided, their duration
 * from failure to the new primary reporting itself, the topology epoch, the age of every
 * instance's latest heartbeat and the lag of the events it applies.
 */
@Component
class FailoverMetrics {

    static final String CONSUMER = "failover-service";

    private final MeterRegistry registry;
    private final Map<String, Instant> lastHeartbeat = new ConcurrentHashMap<>();

    FailoverMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counters start at 0 as soon as a cluster is known, so that the first failover shows as an increase. */
    void clusterKnown(String cluster) {
        Meters.counter(registry, MetricCatalog.FAILOVERS_TOTAL, cluster);
        Meters.counter(registry, MetricCatalog.SWITCHOVERS_TOTAL, cluster);
    }

    void clusterGone(String cluster) {
        Meters.remove(registry, MetricCatalog.FAILOVERS_TOTAL, cluster);
        Meters.remove(registry, MetricCatalog.SWITCHOVERS_TOTAL, cluster);
        Meters.remove(registry, MetricCatalog.TOPOLOGY_EPOCH, cluster);
        for (String kind : new String[] {"failover", "switchover"}) {
            Meters.remove(registry, MetricCatalog.FAILOVER_DURATION, cluster, kind);
        }
    }

    void topology(String cluster, long epoch, Instant decidedAt) {
        Meters.set(registry, MetricCatalog.TOPOLOGY_EPOCH, epoch, cluster);
        Meters.eventApplied(registry, Topics.TOPOLOGY, CONSUMER, decidedAt);
    }

    void heartbeat(Heartbeat heartbeat) {
        String key = Topics.instanceKey(heartbeat.cluster(), heartbeat.instance());
        if (lastHeartbeat.put(key, heartbeat.observedAt()) == null) {
            Meters.gauge(registry, MetricCatalog.HEARTBEAT_AGE, key,
                    k -> {
                        Instant at = lastHeartbeat.get(k);
                        return at == null ? Double.NaN : Math.max(0, Duration.between(at, Instant.now()).toNanos() / 1e9);
                    }, heartbeat.cluster(), heartbeat.instance());
        }
        lastHeartbeat.merge(key, heartbeat.observedAt(), (old, fresh) -> fresh.isAfter(old) ? fresh : old);
        Meters.eventApplied(registry, Topics.HEARTBEATS, CONSUMER, heartbeat.observedAt());
    }

    void instanceGone(String cluster, String instance) {
        lastHeartbeat.remove(Topics.instanceKey(cluster, instance));
        Meters.remove(registry, MetricCatalog.HEARTBEAT_AGE, cluster, instance);
    }

    /** A change of primary was published. */
    void decided(String cluster, Decision.Kind kind) {
        if (kind == Decision.Kind.FAILOVER) {
            Meters.counter(registry, MetricCatalog.FAILOVERS_TOTAL, cluster).increment();
        } else if (kind == Decision.Kind.SWITCHOVER) {
            Meters.counter(registry, MetricCatalog.SWITCHOVERS_TOTAL, cluster).increment();
        }
    }

    /** The new primary reported itself primary: {@code total} from the failure (or decision) to then. */
    void completed(String cluster, Decision.Kind kind, Duration total) {
        Meters.timer(registry, MetricCatalog.FAILOVER_DURATION, cluster,
                kind == Decision.Kind.FAILOVER ? "failover" : "switchover").record(total);
    }
}
