package io.pgpilot.testkit;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.KafkaTracing;
import io.pgpilot.events.TopicTailer;
import io.pgpilot.events.Topics;
import io.pgpilot.launcher.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trace context through real Kafka: EventBus injects {@code traceparent} within a trace (and only
 * then), TopicTailer handles such a record in a consumer span of the same trace, and what its
 * handler publishes continues that trace.
 */
class TracePropagationIT {

    static KafkaBroker kafka;
    static EventBus bus;
    static InMemorySpanExporter spans = InMemorySpanExporter.create();
    static OpenTelemetrySdk sdk;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.startFresh(Files.createTempDirectory("trace-it").resolve("kafka"));
        bus = new EventBus(kafka.bootstrapServers(), "trace-it", Duration.ofSeconds(5));
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        KafkaTracing.install(sdk);
    }

    @AfterAll
    static void stop() {
        KafkaTracing.install(null);
        bus.close();
        kafka.close();
        sdk.close();
    }

    @Test
    void aTraceCrossesTwoHopsOfKafka() throws Exception {
        Map<String, String> tracesSeen = new ConcurrentHashMap<>();
        // hop 1: commands -> the "failover" tailer publishes a topology inside the consumer span
        try (TopicTailer failover = new TopicTailer(kafka.bootstrapServers(), "it-failover",
                Map.of(Topics.COMMANDS, TopicTailer.Start.END), (topic, key, value) -> {
                    tracesSeen.put("failover/" + key, Span.current().getSpanContext().getTraceId());
                    bus.publish(Topics.TOPOLOGY, key, Map.of("epoch", 2));
                }).start();
             // hop 2: topology -> the "provisioner" tailer
             TopicTailer provisioner = new TopicTailer(kafka.bootstrapServers(), "it-provisioner",
                     Map.of(Topics.TOPOLOGY, TopicTailer.Start.END),
                     (topic, key, value) -> tracesSeen.put("provisioner/" + key, Span.current().getSpanContext().getTraceId())).start()) {
            // both tailers seek to the end asynchronously: a probe through both hops proves they are positioned
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                bus.publish(Topics.COMMANDS, "probe", Map.of());
                return tracesSeen.containsKey("provisioner/probe");
            });
            assertThat(tracesSeen.get("provisioner/probe")).as("untraced publish, untraced handling").isEqualTo("0".repeat(32));
            Span request = sdk.getTracer("it").spanBuilder("POST /switchover").setSpanKind(SpanKind.SERVER).startSpan();
            try (Scope ignored = request.makeCurrent()) {
                bus.publish(Topics.COMMANDS, "ha", Map.of("type", "SWITCHOVER"));
            } finally {
                request.end();
            }
            String trace = request.getSpanContext().getTraceId();
            await().atMost(Duration.ofSeconds(20)).until(() -> tracesSeen.containsKey("provisioner/ha"));
            assertThat(tracesSeen).containsEntry("failover/ha", trace).containsEntry("provisioner/ha", trace);
            await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(trace)).count() == 5);
            List<SpanData> trail = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
            SpanData publishCommand = only(trail, "publish " + Topics.COMMANDS);
            SpanData processCommand = only(trail, "process " + Topics.COMMANDS);
            SpanData publishTopology = only(trail, "publish " + Topics.TOPOLOGY);
            SpanData processTopology = only(trail, "process " + Topics.TOPOLOGY);
            assertThat(publishCommand.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(publishCommand.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(processCommand.getParentSpanId()).isEqualTo(publishCommand.getSpanId());
            assertThat(processCommand.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(publishTopology.getParentSpanId()).isEqualTo(processCommand.getSpanId());
            assertThat(processTopology.getParentSpanId()).isEqualTo(publishTopology.getSpanId());
            assertThat(processTopology.getAttributes().get(KafkaTracing.CONSUMER)).isEqualTo("it-provisioner");
        }
    }

    @Test
    void outsideATraceRecordsCarryNoHeaderAndHandlersRunWithoutSpans() throws Exception {
        spans.reset();
        bus.publish(Topics.EVENTS, "quiet", Map.of("type", "heartbeat-like"));
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(r -> "quiet".equals(r.key()));
            });
            ConsumerRecord<String, String> quiet = seen.stream().filter(r -> "quiet".equals(r.key())).findFirst().orElseThrow();
            assertThat(quiet.headers().toArray()).isEmpty();
            assertThat(new String(quiet.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).contains("heartbeat-like");
        }
    }

    @Test
    void theReplayOfStateAtStartIsNotTraced() throws Exception {
        Span old = sdk.getTracer("it").spanBuilder("old request").startSpan();
        try (Scope ignored = old.makeCurrent()) {
            bus.publish(Topics.SPECS, "replayed", Map.of("v", 1));
        } finally {
            old.end();
        }
        spans.reset();
        Map<String, Boolean> traced = new ConcurrentHashMap<>();
        try (TopicTailer tailer = new TopicTailer(kafka.bootstrapServers(), "it-replay", Map.of(Topics.SPECS, TopicTailer.Start.BEGINNING),
                (topic, key, value) -> traced.put(key, KafkaTracing.inTrace())).start()) {
            assertThat(tailer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(traced).containsEntry("replayed", false);
        }
        assertThat(spans.getFinishedSpanItems()).noneMatch(s -> s.getKind() == SpanKind.CONSUMER);
    }

    private static SpanData only(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).reduce((a, b) -> {
            throw new AssertionError("more than one span " + name);
        }).orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }
}
