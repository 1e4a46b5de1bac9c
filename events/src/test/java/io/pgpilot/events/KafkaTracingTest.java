package io.pgpilot.events;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTracingTest {

    InMemorySpanExporter spans;
    OpenTelemetrySdk sdk;

    @BeforeEach
    void installSdk() {
        spans = InMemorySpanExporter.create();
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        KafkaTracing.install(sdk);
    }

    @AfterEach
    void uninstall() {
        KafkaTracing.install(null);
        sdk.close();
    }

    @Test
    void theCurrentTraceGoesIntoTheHeadersAsW3cTraceparent() {
        Span parent = sdk.getTracer("test").spanBuilder("request").startSpan();
        RecordHeaders headers = new RecordHeaders();
        try (Scope ignored = parent.makeCurrent()) {
            KafkaTracing.inject(Context.current(), headers);
        }
        parent.end();
        String traceparent = new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8);
        assertThat(traceparent).isEqualTo("00-" + parent.getSpanContext().getTraceId() + "-"
                + parent.getSpanContext().getSpanId() + "-" + parent.getSpanContext().getTraceFlags().asHex());
        assertThat(parent.getSpanContext().isSampled()).isTrue();
        // injecting again replaces, never duplicates
        KafkaTracing.inject(Context.root().with(parent), headers);
        assertThat(headers.headers("traceparent")).hasSize(1);
    }

    @Test
    void aConsumedRecordIsHandledInAConsumerSpanChildOfTheProducer() {
        Span producer = sdk.getTracer("test").spanBuilder("publish").setSpanKind(SpanKind.PRODUCER).startSpan();
        RecordHeaders headers = new RecordHeaders();
        KafkaTracing.inject(Context.root().with(producer), headers);
        producer.end();
        AtomicReference<String> traceInHandler = new AtomicReference<>();
        KafkaTracing.process("pgpilot.cluster.commands", 2, 41, "ha", headers, "it", () -> {
            assertThat(KafkaTracing.inTrace()).isTrue();
            traceInHandler.set(Span.current().getSpanContext().getTraceId());
        });
        SpanData consumer = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).findFirst().orElseThrow();
        assertThat(consumer.getTraceId()).isEqualTo(producer.getSpanContext().getTraceId()).isEqualTo(traceInHandler.get());
        assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanContext().getSpanId());
        assertThat(consumer.getName()).isEqualTo("process pgpilot.cluster.commands");
        assertThat(consumer.getAttributes().get(KafkaTracing.OFFSET)).isEqualTo(41L);
        assertThat(consumer.getAttributes().get(KafkaTracing.MESSAGE_KEY)).isEqualTo("ha");
        assertThat(KafkaTracing.inTrace()).isFalse();
    }

    @Test
    void recordsWithoutOrWithBrokenTraceparentAreHandledUntraced() {
        boolean[] ran = {false, false};
        KafkaTracing.process("t", 0, 0, "k", new RecordHeaders(), "it", () -> ran[0] = !KafkaTracing.inTrace());
        RecordHeaders broken = new RecordHeaders();
        broken.add("traceparent", "00-zz-not-a-trace\n".getBytes(StandardCharsets.UTF_8));
        KafkaTracing.process("t", 0, 1, "k", broken, "it", () -> ran[1] = !KafkaTracing.inTrace());
        assertThat(ran).containsExactly(true, true);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aFailingHandlerMarksTheSpanAndStillThrows() {
        Span producer = sdk.getTracer("test").spanBuilder("publish").startSpan();
        RecordHeaders headers = new RecordHeaders();
        KafkaTracing.inject(Context.root().with(producer), headers);
        assertThatThrownBy(() -> KafkaTracing.process("t", 0, 0, "k", headers, "it", () -> {
            throw new IllegalStateException("unreadable");
        })).hasMessage("unreadable");
        assertThat(spans.getFinishedSpanItems()).singleElement()
                .satisfies(s -> assertThat(s.getStatus().getStatusCode().name()).isEqualTo("ERROR"));
    }

    @Test
    void internalSpansOnlyWithinATraceUnlessAskedToStartOne() {
        assertThat(KafkaTracing.inSpan("decide", "ha", false, KafkaTracing::inTrace)).isFalse();
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        String trace = KafkaTracing.inSpan("decide", "ha", true, () -> Span.current().getSpanContext().getTraceId());
        assertThat(spans.getFinishedSpanItems()).singleElement().satisfies(s -> {
            assertThat(s.getTraceId()).isEqualTo(trace);
            assertThat(s.getParentSpanContext().isValid()).isFalse();
            assertThat(s.getAttributes().get(KafkaTracing.CLUSTER)).isEqualTo("ha");
        });
    }

    @Test
    void withoutAnSdkEverythingIsANoOp() {
        KafkaTracing.install(null);
        RecordHeaders headers = new RecordHeaders();
        KafkaTracing.inject(Context.current(), headers);
        assertThat(headers.toArray()).isEmpty();
        assertThat(KafkaTracing.inSpan("x", "c", true, KafkaTracing::inTrace)).isFalse();
    }
}
