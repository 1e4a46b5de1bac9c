package io.pgpilot.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The check HelmChartTest relies on: a field Kubernetes does not know is found, with its path. */
class UnknownFieldsTest {

    @Test
    void misspeltAndMisplacedFieldsAreFoundWithTheirPath() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x, namespace: y}
                spec:
                  replica: 1
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          resources: {limits: {cpu: "1"}}
                          readOnlyRootFilesystem: true
                """;
        HasMetadata parsed = Chart.parse(yaml).getFirst();
        assertThat(UnknownFields.of(parsed)).containsExactlyInAnyOrder(
                "Deployment.spec.replica", "Deployment.spec.template.spec.containers[0].readOnlyRootFilesystem");
    }

    @Test
    void aValidObjectHasNone() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: x, namespace: y}
                spec:
                  selector: {a: b}
                  ports: [{name: http, port: 80, targetPort: http}]
                """;
        assertThat(UnknownFields.of(Chart.parse(yaml).getFirst())).isEmpty();
    }
}
