package io.pgpilot.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** values.schema.json refuses bad values before anything renders, naming the field. */
class ChartValuesSchemaTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                arguments("two replicas (control-plane HA pending)", Map.of("components.provisioner.replicas", 2), "components.provisioner.replicas: Must be less than or equal to 1"),
                arguments("empty image repository", Map.of("components.api-gateway.image.repository", ""), "components.api-gateway.image.repository: "),
                arguments("both an existing and the embedded Kafka",
                        Map.of("kafka.bootstrapServers", "kafka:9092"), "kafka: Must validate one and only one schema"),
                arguments("no Kafka at all", Map.of("kafka.embedded.enabled", false), "kafka: Must validate one and only one schema"),
                arguments("bootstrap address without a port",
                        ordered("kafka.embedded.enabled", false, "kafka.bootstrapServers", "kafka.svc"), "kafka.bootstrapServers: Does not match pattern"),
                arguments("unknown instance backend", Map.of("instances.backend", "docker"), "instances.backend: instances.backend must be one of the following: \"kubernetes\", \"local\""),
                arguments("a misspelt top-level key", Map.of("replicaCount", 3), "Additional property replicaCount is not allowed"),
                arguments("root allowed", Map.of("podSecurityContext.runAsNonRoot", false), "podSecurityContext.runAsNonRoot: "),
                arguments("OIDC without issuer", Map.of("oidc.enabled", true), "oidc.issuer: String length must be greater than or equal to 1"),
                arguments("a CPU quantity that is not one", Map.of("components.services.resources.limits.cpu", "lots"), "components.services.resources.limits.cpu: "),
                arguments("an S3 endpoint that is not a URL", Map.of("s3.endpoint", "rgw:7480"), "s3.endpoint: Does not match pattern"),
                arguments("a namespace that is not a DNS label", Map.of("instances.namespaces[0]", "Data_Base"), "instances.namespaces.0: Does not match pattern"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void refusedWithTheFieldNamed(String what, Map<String, Object> sets, String field) {
        assertThatThrownBy(() -> Chart.template(null, sets))
                .as(what)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(field);
    }

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
