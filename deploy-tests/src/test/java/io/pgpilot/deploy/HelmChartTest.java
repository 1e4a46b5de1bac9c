package io.pgpilot.deploy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** helm lint and helm template of deploy/helm/pgpilot by the real Helm engine; checks on every rendered object. */
class HelmChartTest {

    private static final Set<String> SERVICES = Set.of("api-gateway", "provisioner", "failover-service",
            "health-monitor", "backup-service", "services");
    private static final List<String> PROVISIONER_VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private static final Path K3S_VALUES = Chart.repositoryRoot().resolve("examples/helm/k3s-longhorn-values.yaml");

    @Test
    void lintPasses() {
        LintResult lint = Chart.helm().lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultValuesRenderValidObjects() throws IOException {
        List<HasMetadata> objects = Chart.parse(Chart.template(null, Map.of()));
        checkAll(objects);
        StatefulSet kafka = single(Chart.ofType(objects, StatefulSet.class));
        checkPod(kafka.getMetadata().getName(), kafka.getSpec().getTemplate().getSpec(), false);
        assertThat(env(deployment(objects, "provisioner"), "PGPILOT_KAFKA")).isEqualTo("pgpilot-kafka:9092");
        assertThat(Chart.ofType(objects, Role.class)).singleElement()
                .satisfies(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("database"));
    }

    @Test
    void k3sLonghornValuesWithExistingKafkaRender() throws IOException {
        List<HasMetadata> objects = Chart.parse(Chart.template(K3S_VALUES, Map.of()));
        checkAll(objects);
        assertThat(Chart.ofType(objects, StatefulSet.class)).as("no embedded Kafka with an existing one").isEmpty();
        for (Deployment d : Chart.ofType(objects, Deployment.class)) {
            assertThat(env(d, "PGPILOT_KAFKA")).isEqualTo("kafka-kafka-bootstrap.kafka.svc:9092");
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
                    .startsWith("registry.example.lan/pgpilot/").endsWith(":0.1.0");
        }
        Deployment gateway = deployment(objects, "api-gateway");
        assertThat(env(gateway, "PGPILOT_GATEWAY_AUTH_OIDC_ISSUER")).isEqualTo("https://authentik.example.lan/application/o/pgpilot/");
        assertThat(env(gateway, "PGPILOT_GATEWAY_AUTH_OIDC_ADMINGROUPS")).isEqualTo("pgpilot-admins");
        Deployment backup = deployment(objects, "backup-service");
        assertThat(env(backup, "PGPILOT_S3_ENDPOINT")).isEqualTo("http://rook-ceph-rgw-store.rook-ceph.svc:7480");
        assertThat(backup.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName()).isEqualTo("s3-creds"));
        assertThat(Chart.ofType(objects, Role.class)).singleElement()
                .satisfies(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("database"));
        GenericKubernetesResource rule = single(Chart.ofKind(objects, "PrometheusRule"));
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    }

    @Test
    void embeddedKafkaOnLonghorn() throws IOException {
        List<HasMetadata> objects = Chart.parse(Chart.template(K3S_VALUES, Map.of("kafka.bootstrapServers", "",
                "kafka.embedded.enabled", true, "kafka.embedded.storage.storageClass", "longhorn", "kafka.embedded.storage.size", "20Gi")));
        checkAll(objects);
        StatefulSet kafka = single(Chart.ofType(objects, StatefulSet.class));
        checkPod(kafka.getMetadata().getName(), kafka.getSpec().getTemplate().getSpec(), false);
        assertThat(kafka.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
            assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("longhorn");
            assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        });
        assertThat(env(deployment(objects, "failover-service"), "PGPILOT_KAFKA")).isEqualTo("pgpilot-kafka:9092");
    }

    private static void checkAll(List<HasMetadata> objects) throws IOException {
        for (HasMetadata o : objects) {
            assertThat(UnknownFields.of(o)).as("fields fabric8's model does not know in %s %s",
                    o.getKind(), o.getMetadata().getName()).isEmpty();
            assertThat(o.getMetadata().getNamespace()).as("namespace of %s %s", o.getKind(), o.getMetadata().getName())
                    .isNotBlank();
        }
        List<Deployment> deployments = Chart.ofType(objects, Deployment.class);
        assertThat(deployments).extracting(d -> d.getMetadata().getLabels().get("app.kubernetes.io/name"))
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        for (Deployment d : deployments) {
            assertThat(d.getSpec().getReplicas()).as("replicas of %s (1 until control-plane HA)", d.getMetadata().getName()).isEqualTo(1);
            checkPod(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec(), true);
        }
        checkRbac(objects);
        checkNetworkPolicies(objects);
        checkPrometheusRule(objects);
        checkDashboards(objects);
        assertThat(Chart.ofKind(objects, "ServiceMonitor")).hasSize(1);
    }

    private static void checkPod(String name, PodSpec pod, boolean readOnlyRoot) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s pod runAsNonRoot", name).isTrue();
        assertThat(pod.getContainers()).isNotEmpty();
        for (Container c : pod.getContainers()) {
            String what = name + "/" + c.getName();
            assertThat(c.getSecurityContext().getRunAsNonRoot()).as("%s runAsNonRoot", what).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", what).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).as("%s drops capabilities", what).containsExactly("ALL");
            if (readOnlyRoot) {
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", what).isTrue();
            }
            assertThat(c.getResources().getRequests()).as("%s requests", what).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as("%s limits", what).containsKeys("cpu", "memory");
            assertThat(c.getStartupProbe()).as("%s startupProbe", what).isNotNull();
            assertThat(c.getLivenessProbe()).as("%s livenessProbe", what).isNotNull();
            assertThat(c.getReadinessProbe()).as("%s readinessProbe", what).isNotNull();
            if (c.getReadinessProbe().getHttpGet() != null) {
                assertThat(c.getReadinessProbe().getHttpGet().getPath()).startsWith("/actuator/health");
                assertThat(c.getLivenessProbe().getHttpGet().getPath()).startsWith("/actuator/health");
            }
        }
    }

    /** Only the provisioner has a Role, in the clusters' namespace, with exactly the objects and verbs it uses. */
    private static void checkRbac(List<HasMetadata> objects) {
        assertThat(Chart.ofType(objects, ClusterRole.class)).as("no ClusterRole").isEmpty();
        List<Role> roles = Chart.ofType(objects, Role.class);
        assertThat(roles).isNotEmpty();
        for (Role role : roles) {
            assertThat(role.getMetadata().getName()).isEqualTo("pgpilot-provisioner");
            Map<String, List<String>> resourcesByGroup = role.getRules().stream().collect(Collectors.toMap(
                    r -> String.join(",", r.getApiGroups()), PolicyRule::getResources));
            assertThat(resourcesByGroup).containsOnly(
                    Map.entry("", List.of("pods", "persistentvolumeclaims", "services", "secrets")),
                    Map.entry("policy", List.of("poddisruptionbudgets")));
            for (PolicyRule rule : role.getRules()) {
                assertThat(rule.getVerbs()).containsExactlyElementsOf(PROVISIONER_VERBS).doesNotContain("*");
                assertThat(rule.getResources()).doesNotContain("*");
                assertThat(rule.getApiGroups()).doesNotContain("*");
            }
        }
        for (RoleBinding binding : Chart.ofType(objects, RoleBinding.class)) {
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getName()).isEqualTo("pgpilot-provisioner");
                assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
            });
        }
        Set<String> accounts = Chart.ofType(objects, ServiceAccount.class).stream()
                .map(a -> a.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(accounts).containsAll(SERVICES.stream().map(s -> "pgpilot-" + s).toList());
        for (ServiceAccount account : Chart.ofType(objects, ServiceAccount.class)) {
            boolean provisioner = account.getMetadata().getName().equals("pgpilot-provisioner");
            assertThat(account.getAutomountServiceAccountToken()).as("token of %s", account.getMetadata().getName())
                    .isEqualTo(provisioner);
        }
        for (Deployment d : Chart.ofType(objects, Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(d.getMetadata().getName());
        }
    }

    /** A default deny for every pod of the release, and a policy per service. */
    private static void checkNetworkPolicies(List<HasMetadata> objects) {
        List<NetworkPolicy> policies = Chart.ofType(objects, NetworkPolicy.class);
        NetworkPolicy deny = policies.stream().filter(p -> p.getMetadata().getName().equals("pgpilot-default-deny"))
                .findFirst().orElseThrow();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();
        assertThat(deny.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
        boolean embeddedKafka = !Chart.ofType(objects, StatefulSet.class).isEmpty();
        for (String service : SERVICES) {
            NetworkPolicy p = policy(policies, "pgpilot-" + service);
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", service);
            assertThat(p.getSpec().getEgress()).as("%s reaches Kafka", service).anySatisfy(rule ->
                    assertThat(rule.getTo()).anySatisfy(peer -> {
                        if (embeddedKafka) {
                            assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "kafka");
                        } else {
                            assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "kafka");
                        }
                    }));
        }
        assertThat(policy(policies, "pgpilot-api-gateway").getSpec().getIngress()).as("the REST API is reachable")
                .anySatisfy(rule -> assertThat(rule.getPorts()).singleElement()
                        .satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(8080)));
        List<String> backupClients = policy(policies, "pgpilot-backup-service").getSpec().getIngress().stream()
                .flatMap(rule -> rule.getFrom().stream())
                .map(peer -> peer.getPodSelector() != null ? peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name")
                        : "namespace " + peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                .toList();
        assertThat(backupClients).as("who may call the backup service")
                .containsExactlyInAnyOrder("api-gateway", "provisioner", "namespace database", "namespace monitoring");
        if (embeddedKafka) {
            NetworkPolicy kafka = policy(policies, "pgpilot-kafka");
            assertThat(kafka.getSpec().getEgress()).isEmpty();
            assertThat(kafka.getSpec().getIngress()).singleElement().satisfies(rule ->
                    assertThat(rule.getPorts()).singleElement().satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(9092)));
        }
    }

    private static NetworkPolicy policy(List<NetworkPolicy> policies, String name) {
        return policies.stream().filter(n -> n.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no NetworkPolicy " + name));
    }

    /** The PrometheusRule carries every rule of deploy/prometheus/alerts.yml, unchanged. */
    @SuppressWarnings("unchecked")
    private static void checkPrometheusRule(List<HasMetadata> objects) throws IOException {
        Map<String, Object> source = new Yaml().load(Files.readString(Chart.repositoryRoot().resolve("deploy/prometheus/alerts.yml")));
        GenericKubernetesResource rule = single(Chart.ofKind(objects, "PrometheusRule"));
        Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        assertThat(spec.get("groups")).isEqualTo(source.get("groups"));
        List<String> alerts = ((List<Map<String, Object>>) spec.get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .map(r -> (String) r.get("alert")).toList();
        long inSource = Files.readAllLines(Chart.repositoryRoot().resolve("deploy/prometheus/alerts.yml")).stream()
                .filter(l -> l.strip().startsWith("- alert:")).count();
        assertThat(alerts).hasSize((int) inSource).doesNotHaveDuplicates();
    }

    /** Every dashboard of deploy/grafana/dashboards as a ConfigMap the Grafana sidecar picks up, content unchanged. */
    private static void checkDashboards(List<HasMetadata> objects) throws IOException {
        Path dir = Chart.repositoryRoot().resolve("deploy/grafana/dashboards");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        List<ConfigMap> dashboards = Chart.ofType(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("pgpilot-dashboard-")).toList();
        assertThat(dashboards).hasSize(files.size());
        for (Path file : files) {
            String key = file.getFileName().toString();
            ConfigMap map = dashboards.stream().filter(c -> c.getData().containsKey(key)).findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigMap for dashboard " + key));
            assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            assertThat(map.getData().get(key).strip()).isEqualTo(Files.readString(file).strip());
        }
    }

    private static Deployment deployment(List<HasMetadata> objects, String service) {
        return Chart.ofType(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("pgpilot-" + service)).findFirst().orElseThrow();
    }

    private static String env(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not set on " + d.getMetadata().getName())).getValue();
    }

    private static <T> T single(List<T> list) {
        assertThat(list).hasSize(1);
        return list.getFirst();
    }
}
