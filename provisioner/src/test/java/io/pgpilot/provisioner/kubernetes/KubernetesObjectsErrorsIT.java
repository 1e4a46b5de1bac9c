package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failures of the API server (kubernetes-server-mock in expectations mode: unexpected requests get
 * 404): each is a typed exception that says whether a retry helps, and none carries a secret value,
 * even when the server's answer quotes one.
 */
@EnableKubernetesMockClient
@ExtendWith(OutputCaptureExtension.class)
class KubernetesObjectsErrorsIT {

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void serverErrorsAreTypedRetryableOrNotAndNeverCarryTheSecret(CapturedOutput output) {
        server.expect().post().withPath("/api/v1/namespaces/database/configmaps").andReturn(201, new ConfigMapBuilder().withNewMetadata()
                .withName("errors-pgpilot").withNamespace("database").withUid("owner-uid").endMetadata().build()).always();
        String echo = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"secret " + Specs.APP_PASSWORD
                + " refused\",\"code\":%d}";
        // the client itself retries 5xx with backoff (requestRetryBackoffLimit); without it each answer is seen as is
        KubernetesClient noRetries = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build();
        KubernetesClusterObjects objects = new KubernetesClusterObjects(noRetries);
        for (int code : new int[] {500, 503, 409, 429, 422, 403}) {
            server.expect().post().withPath("/api/v1/namespaces/database/secrets").andReturn(code, echo.formatted(code)).once();
            assertThatThrownBy(() -> objects.apply(Specs.spec("errors", 1, "1Gi", null)))
                    .isInstanceOfSatisfying(KubernetesObjectsException.class, e -> {
                        assertThat(e.code()).isEqualTo(code);
                        assertThat(e.retryable()).as("HTTP %d", code).isEqualTo(code >= 500 || code == 409 || code == 429);
                        assertThat(e.getMessage()).contains("cluster=errors", "create Secret errors-app").doesNotContain(Specs.APP_PASSWORD);
                        assertThat(e.getCause()).isNull();
                        assertThat(e.toString()).doesNotContain(Specs.APP_PASSWORD);
                    });
        }
        noRetries.close();

        // with the default client a single server error is retried by the client: the pass goes on to the next object
        server.expect().post().withPath("/api/v1/namespaces/database/secrets").andReturn(500, echo.formatted(500)).once();
        server.expect().post().withPath("/api/v1/namespaces/database/secrets").andReturn(201, new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("errors-app").endMetadata().build()).always();
        assertThatThrownBy(() -> new KubernetesClusterObjects(client).apply(Specs.spec("errors", 1, "1Gi", null)))
                .isInstanceOfSatisfying(KubernetesObjectsException.class, e -> assertThat(e.getMessage())
                        .contains("create PersistentVolumeClaim errors-1").contains("404"));
        assertThat(output.getAll()).doesNotContain(Specs.APP_PASSWORD, Specs.SUPERUSER_PASSWORD, Specs.REPLICATION_PASSWORD);
    }
}
