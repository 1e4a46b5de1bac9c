package io.pgpilot.deploy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every PGPILOT_* variable the chart sets is one the service reads: a {@code ${PGPILOT_...}} of the
 * module's application.yml, or the relaxed-binding name of a property the module's code declares.
 */
class ChartEnvironmentTest {

    /** Variables Spring binds by relaxed name (dashes dropped) to a property declared in code. */
    private static final Map<String, String> RELAXED = Map.of(
            "PGPILOT_GATEWAY_BACKUPSERVICEURL", "pgpilot.gateway.backup-service-url",
            "PGPILOT_GATEWAY_SERVICESURL", "pgpilot.gateway.services-url",
            "PGPILOT_GATEWAY_AUTH_EMBEDDEDTOKENS", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_ISSUER", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_AUDIENCE", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_JWKSURL", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_ROLECLAIM", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_VIEWERGROUPS", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_OPERATORGROUPS", "pgpilot.gateway.auth",
            "PGPILOT_GATEWAY_AUTH_OIDC_ADMINGROUPS", "pgpilot.gateway.auth");
    /** Read by the Kubernetes backend of the provisioner, built in parallel (docs/kubernetes.md). */
    private static final String PENDING_BACKEND_VARIABLE = "PGPILOT_KUBERNETES_NAMESPACES";

    @Test
    void everyVariableIsReadByItsService() {
        List<HasMetadata> objects = Chart.parse(Chart.template(
                Chart.repositoryRoot().resolve("examples/helm/k3s-longhorn-values.yaml"), Map.of()));
        int checked = 0;
        for (Deployment d : Chart.ofType(objects, Deployment.class)) {
            String module = d.getMetadata().getLabels().get("app.kubernetes.io/name");
            String applicationYml = read(Chart.repositoryRoot().resolve(module + "/src/main/resources/application.yml"));
            for (EnvVar env : d.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()) {
                String name = env.getName();
                if (!name.startsWith("PGPILOT_") || name.equals(PENDING_BACKEND_VARIABLE)) {
                    continue;
                }
                if (RELAXED.containsKey(name)) {
                    assertThat(sourcesMention(module, RELAXED.get(name))).as("%s: %s declared in %s", name, RELAXED.get(name), module).isTrue();
                } else {
                    assertThat(applicationYml).as("%s read by %s's application.yml", name, module).contains("${" + name + ":");
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void withoutThePrometheusOperatorNoCustomResourcesAreRendered() {
        List<HasMetadata> objects = Chart.parse(Chart.template(null, Map.of(
                "monitoring.serviceMonitor.enabled", false, "monitoring.prometheusRule.enabled", false)));
        assertThat(objects).noneMatch(o -> o instanceof GenericKubernetesResource);
        assertThat(objects).anyMatch(o -> o.getKind().equals("ConfigMap"));
    }

    private static boolean sourcesMention(String module, String text) {
        try (Stream<Path> files = Files.walk(Chart.repositoryRoot().resolve(module + "/src/main/java"))) {
            return files.filter(p -> p.toString().endsWith(".java")).anyMatch(p -> read(p).contains(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
