package io.pgpilot.support.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pgpilot.support.metrics.MetricCatalog.Family;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Registers the control-plane families of {@link MetricCatalog} in a Micrometer registry, so that
 * the names Prometheus sees are exactly the catalog's (checked by MetersTest against the real
 * Prometheus registry). Tag values are given in the family's label order.
 */
public final class Meters {

    private static final Map<MeterRegistry, Map<String, AtomicReference<Double>>> VALUES = new ConcurrentHashMap<>();

    private Meters() {
    }

    public static Counter counter(MeterRegistry registry, Family family, String... labelValues) {
        require(family, MetricCatalog.Type.COUNTER, labelValues);
        return Counter.builder(family.meterName()).description(family.help()).tags(tags(family, labelValues)).register(registry);
    }

    public static Timer timer(MeterRegistry registry, Family family, String... labelValues) {
        require(family, MetricCatalog.Type.SUMMARY, labelValues);
        return Timer.builder(family.meterName()).description(family.help()).tags(tags(family, labelValues)).register(registry);
    }

    /** A gauge computed at scrape time from {@code source} (held strongly). */
    public static <T> Gauge gauge(MeterRegistry registry, Family family, T source, ToDoubleFunction<T> value, String... labelValues) {
        require(family, MetricCatalog.Type.GAUGE, labelValues);
        return Gauge.builder(family.meterName(), source, value).description(family.help()).baseUnit(baseUnit(family))
                .tags(tags(family, labelValues)).strongReference(true).register(registry);
    }

    /** A gauge holding the last value set. */
    public static void set(MeterRegistry registry, Family family, double value, String... labelValues) {
        String key = family.name() + "|" + String.join("|", labelValues);
        var values = VALUES.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
        AtomicReference<Double> holder = values.get(key);
        if (holder == null) {
            AtomicReference<Double> fresh = new AtomicReference<>(value);
            holder = values.putIfAbsent(key, fresh);
            if (holder == null) {
                gauge(registry, family, fresh, AtomicReference::get, labelValues);
                return;
            }
        }
        holder.set(value);
    }

    /** Removes a gauge, counter or timer of the family with these label values (e.g. a deleted instance). */
    public static void remove(MeterRegistry registry, Family family, String... labelValues) {
        var values = VALUES.get(registry);
        if (values != null) {
            values.remove(family.name() + "|" + String.join("|", labelValues));
        }
        var meter = registry.find(family.meterName()).tags(tags(family, labelValues)).meter();
        if (meter != null) {
            registry.remove(meter);
        }
    }

    /**
     * {@code pgpilot_event_lag_seconds{topic, consumer}}: the delay between the moment an applied
     * record was produced (its own timestamp) and now.
     */
    public static void eventApplied(MeterRegistry registry, String topic, String consumer, Instant producedAt) {
        if (producedAt == null) {
            return;
        }
        set(registry, MetricCatalog.EVENT_LAG, Math.max(0, Duration.between(producedAt, Instant.now()).toNanos() / 1e9), topic, consumer);
    }

    private static String baseUnit(Family family) {
        return family.name().endsWith("_seconds") ? "seconds" : null;
    }

    private static Tags tags(Family family, String... labelValues) {
        Tags tags = Tags.empty();
        for (int i = 0; i < labelValues.length; i++) {
            tags = tags.and(family.labels().get(i), labelValues[i]);
        }
        return tags;
    }

    private static void require(Family family, MetricCatalog.Type type, String... labelValues) {
        if (family.source() != MetricCatalog.Source.CONTROL_PLANE || family.meterName() == null || family.type() != type
                || family.labels().size() != labelValues.length) {
            throw new IllegalArgumentException(family.name() + " is not a " + type + " with labels " + family.labels());
        }
    }
}
