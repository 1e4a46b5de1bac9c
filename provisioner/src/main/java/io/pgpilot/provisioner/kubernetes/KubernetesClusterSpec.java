package io.pgpilot.provisioner.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;
import io.pgpilot.instance.Credentials;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;

import java.util.regex.Pattern;

/**
 * Everything the renderer needs for one cluster: the validated definition, where it lives, the
 * storage class ({@code spec.storage.storageClass}; null: the namespace's default), the instance
 * image, the resources of each instance, who is primary (from the latest Topology), the cluster
 * incarnation, the Kafka the instance managers report to and the platform's generated credentials.
 * {@link #validate()} checks every field and names the first bad one; nothing is rendered before that.
 * {@link #toString()} never prints a password.
 */
public record KubernetesClusterSpec(String namespace, ClusterDefinition definition, String storageClass, String image,
                                    Resources resources, String primary, String uid, String kafkaBootstrapServers,
                                    Credentials app, Credentials superuser, Credentials replication) {

    /** DNS-1123 label (a namespace name). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern IMAGE = Pattern.compile("[a-zA-Z0-9][-a-zA-Z0-9._/:@]{0,254}");
    private static final Pattern UID = Pattern.compile("[-a-zA-Z0-9]{1,64}");
    private static final Pattern KAFKA = Pattern.compile("[-a-zA-Z0-9.]{1,253}:[0-9]{1,5}(,[-a-zA-Z0-9.]{1,253}:[0-9]{1,5})*");

    /** Requests and limits of the {@code postgres} container ({@code cpu} like 500m, {@code memory} like 1Gi). */
    public record Resources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
        public static final Resources DEFAULT = new Resources("500m", "1Gi", "2", "2Gi");
    }

    public KubernetesClusterSpec {
        resources = resources == null ? Resources.DEFAULT : resources;
    }

    public String cluster() {
        return definition.name();
    }

    /** The primary instance: the Topology's, or the first instance before any Topology exists. */
    public String primaryOrFirst() {
        return primary != null ? primary : definition.instanceNames().getFirst();
    }

    /** Checks every input; throws {@link InvalidClusterObjectsException} naming the field. */
    public KubernetesClusterSpec validate() {
        require(namespace != null && LABEL.matcher(namespace).matches(), "namespace", "'" + Names.printable(namespace)
                + "' is not a valid namespace name (DNS-1123 label)");
        require(definition != null, "definition", "missing");
        require(Names.CLUSTER.matcher(definition.name()).matches(), "metadata.name", "'" + Names.printable(definition.name())
                + "' is not a valid cluster name");
        require(definition.instances() >= 1 && definition.instances() <= 99, "spec.instances", "must be between 1 and 99");
        quantity("spec.storage.size", definition.storageSize());
        require(storageClass == null || Names.SECRET.matcher(storageClass).matches(), "spec.storage.storageClass",
                "'" + Names.printable(storageClass) + "' is not a valid name");
        require(image != null && IMAGE.matcher(image).matches(), "image", "'" + Names.printable(image) + "' is not an image reference");
        quantity("resources.requests.cpu", resources.cpuRequest());
        quantity("resources.requests.memory", resources.memoryRequest());
        quantity("resources.limits.cpu", resources.cpuLimit());
        quantity("resources.limits.memory", resources.memoryLimit());
        require(primary == null || definition.instanceNames().contains(primary), "primary",
                "'" + Names.printable(primary) + "' is not an instance of cluster '" + definition.name() + "'");
        require(uid != null && UID.matcher(uid).matches(), "uid", "not a cluster incarnation uid");
        require(kafkaBootstrapServers != null && KAFKA.matcher(kafkaBootstrapServers).matches(), "kafkaBootstrapServers",
                "'" + Names.printable(kafkaBootstrapServers) + "' is not a list of host:port");
        credentials("app", app);
        credentials("superuser", superuser);
        credentials("replication", replication);
        return this;
    }

    private static void quantity(String field, String value) {
        require(value != null && !value.isBlank(), field, "missing");
        try {
            require(Quantity.getAmountInBytes(new Quantity(value)).signum() > 0, field, "'" + Names.printable(value) + "' must be positive");
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidClusterObjectsException invalid) {
                throw invalid;
            }
            throw new InvalidClusterObjectsException(field, "'" + Names.printable(value) + "' is not a quantity");
        }
    }

    private static void credentials(String field, Credentials credentials) {
        require(credentials != null && credentials.username() != null && !credentials.username().isBlank()
                && credentials.password() != null && !credentials.password().isBlank(), field + " credentials", "missing username or password");
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidClusterObjectsException(field, message);
        }
    }

    @Override
    public String toString() {
        return "KubernetesClusterSpec[namespace=" + namespace + ", cluster=" + (definition == null ? null : definition.name())
                + ", storageClass=" + storageClass + ", image=" + image + ", primary=" + primary + ", credentials=<hidden>]";
    }
}
