package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgpilot.instance.Credentials;
import io.pgpilot.model.ClusterDefinition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterObjectsRendererTest {

    private final ClusterObjects objects = ClusterObjectsRenderer.render(Specs.spec("postgres-cluster", 3, "20Gi", null), "owner-uid");

    @Test
    void onePodAndOneClaimPerInstanceWithTheFirstAsPrimaryBeforeAnyTopology() {
        assertThat(objects.pods()).extracting(p -> p.getMetadata().getName())
                .containsExactly("postgres-cluster-1", "postgres-cluster-2", "postgres-cluster-3");
        assertThat(objects.pods()).extracting(p -> p.getMetadata().getLabels().get(Labels.INSTANCE_ROLE))
                .containsExactly("primary", "replica", "replica");
        assertThat(objects.pods()).extracting(p -> p.getMetadata().getLabels().get(Labels.ROLE))
                .containsExactly("primary", "replica", "replica");
        assertThat(objects.pods().get(1).getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "postgres-cluster")
                .containsEntry(Labels.INSTANCE_NAME, "postgres-cluster-2");
        assertThat(objects.claims()).allSatisfy(c -> {
            assertThat(c.getSpec().getStorageClassName()).isEqualTo("longhorn");
            assertThat(c.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("20Gi"));
            assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        });
        assertThat(objects.claims()).extracting(c -> c.getMetadata().getName())
                .containsExactly("postgres-cluster-1", "postgres-cluster-2", "postgres-cluster-3");
    }

    @Test
    void theTopologysPrimaryGetsThePrimaryLabel() {
        ClusterObjects after = ClusterObjectsRenderer.render(Specs.spec("postgres-cluster", 3, "20Gi", "postgres-cluster-3"), "owner-uid");
        assertThat(after.pods()).extracting(p -> p.getMetadata().getLabels().get(Labels.INSTANCE_ROLE))
                .containsExactly("replica", "replica", "primary");
    }

    @Test
    void podRunsTheInstanceManagerNonRootWithPgdataOnItsClaimProbesAndRequiredAntiAffinity() {
        Pod pod = objects.pods().getFirst();
        Container c = pod.getSpec().getContainers().getFirst();
        assertThat(c.getCommand()).contains("io.pgpilot.instance.runtime.InstanceManagerMain", "/etc/pgpilot/config/postgres-cluster-1.properties");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PGDATA");
            assertThat(e.getValue()).startsWith("/var/lib/postgresql/data");
        });
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("postgres-cluster-1"));
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
        for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPath()).isEqualTo("/health");
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        }
        assertThat(c.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(8000));
        var security = pod.getSpec().getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getRunAsUser()).isEqualTo(26L);
        assertThat(security.getFsGroup()).isEqualTo(26L);
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        PodAffinityTerm term = pod.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getFirst();
        assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(term.getLabelSelector().getMatchLabels()).isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster"));
    }

    @Test
    void servicesSelectByRoleOnPort5432() {
        Map<String, Service> services = new java.util.HashMap<>();
        objects.services().forEach(s -> services.put(s.getMetadata().getName(), s));
        assertThat(services.get("postgres-cluster-rw").getSpec().getSelector())
                .isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster", Labels.INSTANCE_ROLE, "primary"));
        assertThat(services.get("postgres-cluster-ro").getSpec().getSelector())
                .isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster", Labels.INSTANCE_ROLE, "replica"));
        assertThat(services.get("postgres-cluster-r").getSpec().getSelector()).isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster"));
        assertThat(services.values()).allSatisfy(s -> assertThat(s.getSpec().getPorts().getFirst().getPort()).isEqualTo(5432));
    }

    @Test
    void secretsAreBasicAuthWithThePlatformsCredentials() {
        assertThat(objects.secrets()).extracting(s -> s.getMetadata().getName())
                .containsExactly("postgres-cluster-app", "postgres-cluster-superuser", "postgres-cluster-replication");
        assertThat(objects.secrets()).allSatisfy(s -> {
            assertThat(s.getType()).isEqualTo("kubernetes.io/basic-auth");
            assertThat(s.getData()).containsKeys("username", "password");
        });
        Secret app = objects.secrets().getFirst();
        assertThat(decode(app, "password")).isEqualTo(Specs.APP_PASSWORD);
        assertThat(decode(app, "host")).isEqualTo("postgres-cluster-rw");
        assertThat(decode(objects.secrets().get(1), "credentials.json")).contains(Specs.SUPERUSER_PASSWORD);
        assertThat(objects.toString()).doesNotContain(Specs.APP_PASSWORD);
        assertThat(Specs.spec("postgres-cluster", 3, "20Gi", null).toString()).doesNotContain(Specs.APP_PASSWORD, Specs.SUPERUSER_PASSWORD);
    }

    @Test
    void everythingIsOwnedByTheOwnerObjectAndParsesAsKubernetesYaml() {
        assertThat(objects.all()).hasSize(1 + 3 + 3 + 3 + 3 + 1).allSatisfy(o -> {
            assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                assertThat(ref.getUid()).isEqualTo("owner-uid");
                assertThat(ref.getName()).isEqualTo("postgres-cluster-pgpilot");
                assertThat(ref.getController()).isTrue();
            });
            assertThat(o.getMetadata().getNamespace()).isEqualTo("database");
            assertThat(o.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "postgres-cluster");
            HasMetadata back = Serialization.unmarshal(Serialization.asYaml(o));
            assertThat(back).isEqualTo(o);
        });
        assertThat(objects.disruptionBudget().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(objects.disruptionBudget().getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster"));
    }

    @Test
    void badInputsRenderNothingAndNameTheField() {
        KubernetesClusterSpec good = Specs.spec("pg", 3, "20Gi", null);
        assertRefused(with(good, "Database", good.definition(), good.storageClass(), good.image(), good.primary(), good.app()), "namespace");
        assertRefused(with(good, good.namespace(), Specs.definition("pg", 3, "lots"), good.storageClass(), good.image(), good.primary(),
                good.app()), "spec.storage.size");
        assertRefused(with(good, good.namespace(), good.definition(), "Bad_Class", good.image(), good.primary(), good.app()),
                "spec.storage.storageClass");
        assertRefused(with(good, good.namespace(), good.definition(), null, "image with space", good.primary(), good.app()), "image");
        assertRefused(with(good, good.namespace(), good.definition(), null, good.image(), "pg-4", good.app()), "primary");
        assertRefused(with(good, good.namespace(), good.definition(), null, good.image(), null, new Credentials("app", "")), "app credentials");
        assertThatThrownBy(() -> ClusterObjectsRenderer.render(good, " ")).isInstanceOf(InvalidClusterObjectsException.class)
                .hasMessageStartingWith("ownerUid");
        KubernetesClusterSpec badCpu = new KubernetesClusterSpec("ns", good.definition(), null, good.image(),
                new KubernetesClusterSpec.Resources("lots", "1Gi", "2", "2Gi"), null, "u", "k:9092", good.app(), good.superuser(), good.replication());
        assertRefused(badCpu, "resources.requests.cpu");
    }

    private static KubernetesClusterSpec with(KubernetesClusterSpec s, String namespace, ClusterDefinition definition, String storageClass,
                                              String image, String primary, Credentials app) {
        return new KubernetesClusterSpec(namespace, definition, storageClass, image, s.resources(), primary, s.uid(), s.kafkaBootstrapServers(),
                app, s.superuser(), s.replication());
    }

    private static void assertRefused(KubernetesClusterSpec spec, String field) {
        assertThatThrownBy(() -> ClusterObjectsRenderer.render(spec, "owner-uid")).isInstanceOfSatisfying(InvalidClusterObjectsException.class,
                e -> assertThat(e.field()).isEqualTo(field));
        assertThatThrownBy(() -> ClusterObjectsRenderer.owner(spec)).isInstanceOf(InvalidClusterObjectsException.class);
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
