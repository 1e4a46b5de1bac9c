package io.pgpilot.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rendered chart created object by object on fabric8's mock API server in CRUD mode, then read
 * back. This proves the objects travel through a Kubernetes client and API paths as they are; the
 * mock does not run admission, defaulting or schema validation, so it is not a real API server.
 */
@EnableKubernetesMockClient(crud = true)
class ChartOnMockApiServerTest {

    static KubernetesClient client;

    @Test
    void everyRenderedObjectIsCreatedAndReadBack() {
        List<HasMetadata> objects = Chart.parse(Chart.template(
                Chart.repositoryRoot().resolve("examples/helm/k3s-longhorn-values.yaml"), Map.of()));
        int created = 0;
        for (HasMetadata object : objects) {
            if (object instanceof GenericKubernetesResource) {
                continue; // ServiceMonitor / PrometheusRule: CRDs of the Prometheus operator, not served by the mock
            }
            HasMetadata stored = client.resource(object).create();
            assertThat(stored.getMetadata().getUid()).as("%s %s", object.getKind(), object.getMetadata().getName()).isNotBlank();
            HasMetadata read = client.resource(object).get();
            assertThat(read).as("%s %s read back", object.getKind(), object.getMetadata().getName()).isNotNull();
            assertThat(read.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
            created++;
        }
        assertThat(created).isGreaterThan(30);
        Deployment provisioner = client.apps().deployments().inNamespace(Chart.NAMESPACE).withName("pgpilot-provisioner").get();
        assertThat(provisioner.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("pgpilot-provisioner");
        assertThat(client.rbac().roles().inNamespace("database").withName("pgpilot-provisioner").get().getRules()).hasSize(2);
        assertThat(client.network().v1().networkPolicies().inNamespace(Chart.NAMESPACE).list().getItems())
                .extracting(p -> p.getMetadata().getName()).contains("pgpilot-default-deny", "pgpilot-api-gateway");
    }
}
