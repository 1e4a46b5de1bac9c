package io.pgpilot.support.tracing;

import io.micrometer.observation.ObservationPredicate;
import io.opentelemetry.api.OpenTelemetry;
import io.pgpilot.events.KafkaTracing;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.PropertySource;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Tracing for every service: Spring Boot's OpenTelemetry SDK (server spans for HTTP requests; spans
 * exported over OTLP only when {@code management.opentelemetry.tracing.export.otlp.endpoint} or
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set) is handed to the event module, so that Kafka records
 * carry the trace from service to service. Defaults (every trace sampled) are in
 * {@code pgpilot-tracing.properties}, below anything a service or its command line sets.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration")
@PropertySource("classpath:pgpilot-tracing.properties")
public class TracingConfiguration {

    /** Installs the SDK for {@link KafkaTracing} while the context lives. */
    public static final class KafkaTracingInstaller implements DisposableBean {

        private final OpenTelemetry openTelemetry;

        KafkaTracingInstaller(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
            KafkaTracing.install(openTelemetry);
        }

        @Override
        public void destroy() {
            if (KafkaTracing.openTelemetry() == openTelemetry) {
                KafkaTracing.install(null);
            }
        }
    }

    /**
     * No observation (so no span and no request metric) for actuator requests: health polls and
     * Prometheus scrapes would otherwise each start a trace of their own.
     */
    @Bean
    public ObservationPredicate pgpilotNoActuatorObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier() != null && request.getCarrier().getRequestURI().startsWith("/actuator"));
    }

    @Bean
    public KafkaTracingInstaller kafkaTracingInstaller(ObjectProvider<OpenTelemetry> openTelemetry) {
        return new KafkaTracingInstaller(openTelemetry.getIfAvailable(OpenTelemetry::noop));
    }
}
