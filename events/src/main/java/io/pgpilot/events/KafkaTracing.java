package io.pgpilot.events;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * W3C trace context ({@code traceparent} / {@code tracestate}) in Kafka record headers, so that a
 * request that causes work in other services over Kafka is one trace. Only work that is already part
 * of a trace is traced: a publish without a current span (heartbeats, periodic passes) carries no
 * header and starts no span, and a record without a header is handled without one.
 *
 * <p>Each service installs its OpenTelemetry SDK with {@link #install}; until then (and in tests
 * that do not) everything here is a no-op.
 */
public final class KafkaTracing {

    public static final String INSTRUMENTATION = "io.pgpilot.events";
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<String> MESSAGE_KEY = AttributeKey.stringKey("messaging.kafka.message.key");
    public static final AttributeKey<Long> PARTITION = AttributeKey.longKey("messaging.destination.partition.id");
    public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    public static final AttributeKey<String> CONSUMER = AttributeKey.stringKey("messaging.client.id");
    public static final AttributeKey<String> CLUSTER = AttributeKey.stringKey("pgpilot.cluster");

    private static final W3CTraceContextPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
    private static volatile OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private static volatile Tracer tracer = openTelemetry.getTracer(INSTRUMENTATION);

    static final TextMapSetter<Headers> SETTER = (headers, name, value) -> {
        if (headers != null) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header h : headers) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public String get(Headers headers, String name) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(name);
            // a traceparent is 55 characters; anything much longer is not one of ours
            return header == null || header.value() == null || header.value().length > 512 ? null
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private KafkaTracing() {
    }

    /** The service's SDK (Spring Boot's {@code OpenTelemetry} bean); {@code null} goes back to no-op. */
    public static void install(OpenTelemetry sdk) {
        OpenTelemetry value = sdk == null ? OpenTelemetry.noop() : sdk;
        openTelemetry = value;
        tracer = value.getTracer(INSTRUMENTATION);
    }

    public static OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    static Tracer tracer() {
        return tracer;
    }

    /** True when the current context carries a span of a trace (sampled or not). */
    public static boolean inTrace() {
        return Span.current().getSpanContext().isValid();
    }

    /** Writes the context's trace into the headers (replacing what was there). */
    public static void inject(Context context, Headers headers) {
        PROPAGATOR.inject(context, headers, SETTER);
    }

    /** The remote parent carried by the headers; the root context when there is none or it is malformed. */
    public static Context extract(Headers headers) {
        return PROPAGATOR.extract(Context.root(), headers, GETTER);
    }

    /**
     * A producer span for one record, child of the current span, or null when no trace is current
     * (nothing is traced then, and the record carries no header).
     */
    public static Span startProducer(String topic, String key) {
        if (!inTrace()) {
            return null;
        }
        return tracer.spanBuilder("publish " + topic)
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION, "send")
                .setAttribute(MESSAGE_KEY, key == null ? "" : key)
                .startSpan();
    }

    /**
     * Runs {@code handler} for one consumed record: when the headers carry a trace, inside a consumer
     * span that is a child of the producer's and current while the handler runs (so that whatever
     * the handler publishes continues the trace); otherwise as it is.
     */
    public static void process(String topic, int partition, long offset, String key, Headers headers, String consumer,
                               Runnable handler) {
        Context parent = headers == null || headers.lastHeader("traceparent") == null ? null : extract(headers);
        if (parent == null || !Span.fromContext(parent).getSpanContext().isValid()) {
            handler.run();
            return;
        }
        Span span = tracer.spanBuilder("process " + topic)
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION, "process")
                .setAttribute(MESSAGE_KEY, key == null ? "" : key)
                .setAttribute(PARTITION, (long) partition)
                .setAttribute(OFFSET, offset)
                .setAttribute(CONSUMER, consumer)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            handler.run();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * Runs {@code work} in an internal span named {@code name} for a cluster: a child of the current
     * span, or the root of a new trace when {@code rootIfNone} (work started by a service on its own,
     * like an automatic failover); without a current trace and without {@code rootIfNone}, untraced.
     */
    public static <T> T inSpan(String name, String cluster, boolean rootIfNone, Supplier<T> work) {
        if (!rootIfNone && !inTrace()) {
            return work.get();
        }
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(CLUSTER, cluster == null ? "" : cluster).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    public static void inSpan(String name, String cluster, boolean rootIfNone, Runnable work) {
        inSpan(name, cluster, rootIfNone, () -> {
            work.run();
            return null;
        });
    }
}
