package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adapter against fabric8's kubernetes-server-mock in CRUD mode (an in-memory API server: no
 * scheduler, kubelet or garbage collector). Every test checks that no secret value reached the output.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(OutputCaptureExtension.class)
class KubernetesClusterObjectsIT {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private CapturedOutput output;

    @AfterEach
    void noSecretValueInTheOutput() {
        if (output != null) {
            assertThat(output.getAll()).doesNotContain(Specs.APP_PASSWORD, Specs.SUPERUSER_PASSWORD, Specs.REPLICATION_PASSWORD);
        }
    }

    @Test
    void createsTheObjectsOfAThreeInstanceClusterAndAReRunChangesNothing(CapturedOutput output) {
        this.output = output;
        KubernetesClusterObjects objects = new KubernetesClusterObjects(client);
        ApplyReport first = objects.apply(Specs.spec("postgres-cluster", 3, "20Gi", null));
        assertThat(first.created()).hasSize(1 + 14);
        assertThat(first.refused()).isEmpty();

        ConfigMap owner = client.configMaps().inNamespace("database").withName("postgres-cluster-pgpilot").get();
        assertThat(owner.getMetadata().getUid()).isNotBlank();
        List<Pod> pods = client.pods().inNamespace("database").withLabel(Labels.CLUSTER, "postgres-cluster").list().getItems();
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("postgres-cluster-1", "postgres-cluster-2", "postgres-cluster-3");
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getSpec().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getFirst()
                    .getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        });
        assertThat(selected("postgres-cluster-rw")).containsExactly("postgres-cluster-1");
        assertThat(selected("postgres-cluster-ro")).containsExactlyInAnyOrder("postgres-cluster-2", "postgres-cluster-3");
        assertThat(selected("postgres-cluster-r")).hasSize(3);
        List<PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace("database").withLabel(Labels.CLUSTER, "postgres-cluster")
                .list().getItems();
        assertThat(claims).hasSize(3).allSatisfy(c -> {
            assertThat(c.getSpec().getStorageClassName()).isEqualTo("longhorn");
            assertThat(c.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("20Gi"));
        });
        assertThat(client.secrets().inNamespace("database").withLabel(Labels.CLUSTER, "postgres-cluster").list().getItems())
                .extracting(s -> s.getMetadata().getName() + ":" + s.getType())
                .containsExactlyInAnyOrder("postgres-cluster-app:kubernetes.io/basic-auth", "postgres-cluster-superuser:kubernetes.io/basic-auth",
                        "postgres-cluster-replication:kubernetes.io/basic-auth");
        var budget = client.policy().v1().podDisruptionBudget().inNamespace("database").withName("postgres-cluster").get();
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(Labels.CLUSTER, "postgres-cluster"));
        for (HasMetadata o : clusterObjects("postgres-cluster")) {
            assertThat(o.getMetadata().getOwnerReferences()).as(KubernetesClusterObjects.id(o)).singleElement()
                    .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid()));
        }

        ApplyReport second = objects.apply(Specs.spec("postgres-cluster", 3, "20Gi", null));
        assertThat(second.noChange()).as(second.toString()).isTrue();
        assertThat(second.unchanged()).hasSize(15);
    }

    @Test
    void aTopologyChangeMovesThePrimaryLabelAndRwSelectsExactlyTheNewPrimary(CapturedOutput output) {
        this.output = output;
        KubernetesClusterObjects objects = new KubernetesClusterObjects(client);
        objects.apply(Specs.spec("flip", 3, "1Gi", null));

        assertThat(objects.setPrimary("database", "flip", "flip-2")).containsExactlyInAnyOrder("flip-1", "flip-2");
        assertThat(selected("flip-rw")).containsExactly("flip-2");
        assertThat(selected("flip-ro")).containsExactlyInAnyOrder("flip-1", "flip-3");
        Pod newPrimary = client.pods().inNamespace("database").withName("flip-2").get();
        assertThat(newPrimary.getMetadata().getLabels()).containsEntry(Labels.ROLE, "primary").containsEntry(Labels.INSTANCE_ROLE, "primary");

        // again: nothing to do; re-applying a spec written before the failover does not move the role back
        assertThat(objects.setPrimary("database", "flip", "flip-2")).isEmpty();
        assertThat(objects.apply(Specs.spec("flip", 3, "1Gi", null)).noChange()).isTrue();
        assertThat(selected("flip-rw")).containsExactly("flip-2");
        assertThatThrownBy(() -> objects.setPrimary("database", "flip", "flip-9")).isInstanceOf(InvalidClusterObjectsException.class);
    }

    @Test
    void claimsGrowOnlyWhenTheStorageClassAllowsExpansion(CapturedOutput output) {
        this.output = output;
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName("longhorn").endMetadata()
                .withProvisioner("driver.longhorn.io").withAllowVolumeExpansion(true).build()).create();
        KubernetesClusterObjects objects = new KubernetesClusterObjects(client);
        objects.apply(Specs.spec("grow", 2, "20Gi", null));

        ApplyReport grown = objects.apply(Specs.spec("grow", 2, "30Gi", null));
        assertThat(grown.updated()).containsExactlyInAnyOrder("PersistentVolumeClaim/grow-1", "PersistentVolumeClaim/grow-2");
        assertThat(client.persistentVolumeClaims().inNamespace("database").withName("grow-1").get().getSpec().getResources().getRequests()
                .get("storage")).isEqualTo(new Quantity("30Gi"));

        ApplyReport shrink = objects.apply(Specs.spec("grow", 2, "10Gi", null));
        assertThat(shrink.refused()).hasSize(2).allSatisfy(r -> assertThat(r).contains("cannot shrink"));

        client.storage().v1().storageClasses().withName("longhorn").edit(c -> {
            c.setAllowVolumeExpansion(false);
            return c;
        });
        ApplyReport refused = objects.apply(Specs.spec("grow", 2, "40Gi", null));
        assertThat(refused.refused()).hasSize(2)
                .allSatisfy(r -> assertThat(r).contains("storage class 'longhorn' does not allow volume expansion"));
        assertThat(client.persistentVolumeClaims().inNamespace("database").withName("grow-2").get().getSpec().getResources().getRequests()
                .get("storage")).isEqualTo(new Quantity("30Gi"));
    }

    @Test
    void deletingTheClusterRemovesEverything(CapturedOutput output) {
        this.output = output;
        KubernetesClusterObjects objects = new KubernetesClusterObjects(client);
        objects.apply(Specs.spec("gone", 3, "1Gi", null));
        objects.apply(Specs.spec("kept", 1, "1Gi", null));
        assertThat(clusterObjects("gone")).hasSize(14);

        objects.delete("database", "gone");

        assertThat(clusterObjects("gone")).isEmpty();
        assertThat(client.configMaps().inNamespace("database").withName("gone-pgpilot").get()).isNull();
        assertThat(clusterObjects("kept")).hasSize(1 + 3 + 1 + 1 + 3 + 1);
    }

    private static List<String> selected(String service) {
        Service s = client.services().inNamespace("database").withName(service).get();
        return client.pods().inNamespace("database").withLabels(s.getSpec().getSelector()).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList();
    }

    /** Every object labelled for the cluster (the owner ConfigMap included). */
    private static List<HasMetadata> clusterObjects(String cluster) {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.pods().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems());
        all.addAll(client.persistentVolumeClaims().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems());
        all.addAll(client.services().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems());
        all.addAll(client.secrets().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems());
        all.addAll(client.policy().v1().podDisruptionBudget().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems());
        all.addAll(client.configMaps().inNamespace("database").withLabel(Labels.CLUSTER, cluster).list().getItems().stream()
                .filter(c -> !c.getMetadata().getName().endsWith("-pgpilot")).toList());
        return all;
    }
}
