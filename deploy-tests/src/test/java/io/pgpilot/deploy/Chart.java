package io.pgpilot.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The chart in deploy/helm/pgpilot, rendered by the real Helm engine (helm-java) and parsed by fabric8's model. */
final class Chart {

    static final String RELEASE = "pgpilot";
    static final String NAMESPACE = "pgpilot-system";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {
    }

    /** The repository root: the parent of this module's directory. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("deploy/helm/pgpilot"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("deploy/helm/pgpilot not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path directory() {
        return repositoryRoot().resolve("deploy/helm/pgpilot");
    }

    static Helm helm() {
        return new Helm(directory());
    }

    /** helm template with the chart's defaults, or with a values file, plus --set pairs. */
    static String template(Path valuesFile, Map<String, Object> sets) {
        TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        String rendered = command.call();
        try {
            // kept for a look: target/helm/<values>.yaml
            Path out = Path.of("target/helm", (valuesFile == null ? "default-values" : valuesFile.getFileName().toString()
                    .replaceAll("\\.yaml$", "")) + (sets.isEmpty() ? "" : "-" + sets.hashCode()) + ".yaml");
            Files.createDirectories(out.getParent());
            Files.writeString(out, rendered);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return rendered;
    }

    /** Every rendered document as a typed fabric8 object (kinds fabric8 does not know as GenericKubernetesResource). */
    static List<HasMetadata> parse(String rendered) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(rendered)) {
            if (document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
        }
        return objects;
    }

    static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<GenericKubernetesResource> ofKind(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind()))
                .map(o -> (GenericKubernetesResource) o).toList();
    }
}
