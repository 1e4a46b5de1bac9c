package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: the per-instance objects of a cluster, shaped as CloudNativePG's: a Pod whose entrypoint is
 * the instance manager ({@code io.pgpilot.instance.runtime.InstanceManagerMain}) with PGDATA on a
 * PersistentVolumeClaim of the same name, and the instance managers' configuration files in one ConfigMap.
 */
final class InstancePods {

    static final int POSTGRES_PORT = 5432;
    /** The instance manager's check server ({@code /health}, {@code /primary}, {@code /replica}). */
    static final int HTTP_PORT = 8000;
    /** The {@code postgres} user of Red Hat/CloudNativePG images (Debian's images use 999). */
    static final long UID = 26;
    static final String DATA_MOUNT = "/var/lib/postgresql/data";
    static final String PGDATA = DATA_MOUNT + "/pgdata";
    static final String CONFIG_MOUNT = "/etc/pgpilot/config";
    static final String CREDENTIALS_MOUNT = "/etc/pgpilot/credentials";
    static final String CREDENTIALS_KEY = "credentials.json";
    static final String MAIN = "io.pgpilot.instance.runtime.InstanceManagerMain";

    private InstancePods() {
    }

    static String configMapName(String cluster) {
        return cluster + "-instance-manager";
    }

    /** The instance managers' configuration files, one key per instance; no secret here (credentials-file points at the Secret volume). */
    static ConfigMap configMap(KubernetesClusterSpec spec, OwnerReference owner) {
        Map<String, String> data = new LinkedHashMap<>();
        for (String instance : spec.definition().instanceNames()) {
            data.put(instance + ".properties", String.join("\n",
                    "cluster=" + spec.cluster(),
                    "uid=" + spec.uid(),
                    "instance=" + instance,
                    "cluster-size=" + spec.definition().instances(),
                    "host=127.0.0.1",
                    "port=" + POSTGRES_PORT,
                    "data-directory=" + PGDATA,
                    "pg-bin-directory=/usr/lib/postgresql/15/bin",
                    "kafka-bootstrap-servers=" + spec.kafkaBootstrapServers(),
                    "credentials-file=" + CREDENTIALS_MOUNT + "/" + CREDENTIALS_KEY,
                    // the kubelet probes through the pod's address
                    "http-address=0.0.0.0",
                    "http-port=" + HTTP_PORT, ""));
        }
        return new ConfigMapBuilder().withNewMetadata().withName(configMapName(spec.cluster())).withNamespace(spec.namespace())
                .withLabels(Labels.cluster(spec.cluster())).withOwnerReferences(owner).endMetadata()
                .withData(data).build();
    }

    static PersistentVolumeClaim claim(KubernetesClusterSpec spec, String instance, OwnerReference owner) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(instance).withNamespace(spec.namespace())
                .withLabels(Labels.instance(spec.cluster(), instance, false)).removeFromLabels(Labels.INSTANCE_ROLE)
                .removeFromLabels(Labels.ROLE).withOwnerReferences(owner).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(spec.storageClass())
                .withNewResources().addToRequests("storage", new Quantity(spec.definition().storageSize())).endResources()
                .endSpec().build();
    }

    static Pod pod(KubernetesClusterSpec spec, String instance, OwnerReference owner) {
        boolean primary = instance.equals(spec.primaryOrFirst());
        KubernetesClusterSpec.Resources r = spec.resources();
        return new PodBuilder()
                .withNewMetadata().withName(instance).withNamespace(spec.namespace())
                .withLabels(Labels.instance(spec.cluster(), instance, primary)).withOwnerReferences(owner).endMetadata()
                .withNewSpec()
                .withHostname(instance)
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(180L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID).withFsGroup(UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().addToMatchLabels(Labels.CLUSTER, spec.cluster()).endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity()
                .addNewContainer().withName("postgres").withImage(spec.image())
                .withCommand("java", "-Xmx64m", "-cp", "/opt/pgpilot/lib/*", MAIN, CONFIG_MOUNT + "/" + instance + ".properties")
                .addNewEnv().withName("PGDATA").withValue(PGDATA).endEnv()
                .addNewPort().withName("postgresql").withContainerPort(POSTGRES_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName("http").withContainerPort(HTTP_PORT).withProtocol("TCP").endPort()
                .withNewResources()
                .addToRequests("cpu", new Quantity(r.cpuRequest())).addToRequests("memory", new Quantity(r.memoryRequest()))
                .addToLimits("cpu", new Quantity(r.cpuLimit())).addToLimits("memory", new Quantity(r.memoryLimit()))
                .endResources()
                // a restore or a long crash recovery may take long before the first heartbeat (CloudNativePG: startDelay 3600 s)
                .withStartupProbe(probe("/health", 360))
                .withLivenessProbe(probe("/health", 3))
                .withReadinessProbe(probe("/health", 3))
                .withNewSecurityContext().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("pgdata").withMountPath(DATA_MOUNT).endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("credentials").withMountPath(CREDENTIALS_MOUNT).withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("pgdata").withNewPersistentVolumeClaim().withClaimName(instance).endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("config").withNewConfigMap().withName(configMapName(spec.cluster())).endConfigMap().endVolume()
                .addNewVolume().withName("credentials").withNewSecret().withSecretName(ClusterObjectsRenderer.secretName(spec.cluster(), "superuser"))
                .addNewItem().withKey(CREDENTIALS_KEY).withPath(CREDENTIALS_KEY).endItem().withDefaultMode(0400).endSecret().endVolume()
                .endSpec().build();
    }

    private static Probe probe(String path, int failureThreshold) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new io.fabric8.kubernetes.api.model.IntOrString("http")).withScheme("HTTP").endHttpGet()
                .withPeriodSeconds(10).withTimeoutSeconds(5).withFailureThreshold(failureThreshold).build();
    }

    static List<String> names(KubernetesClusterSpec spec) {
        return spec.definition().instanceNames();
    }
}
