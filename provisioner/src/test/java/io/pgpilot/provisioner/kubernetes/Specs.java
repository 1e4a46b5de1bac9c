package io.pgpilot.provisioner.kubernetes;

import io.pgpilot.instance.Credentials;
import io.pgpilot.model.ClusterDefinition;

import java.util.Map;

/** Test inputs: the reference manifest's shape (3 instances, longhorn, 20Gi). */
final class Specs {

    static final String APP_PASSWORD = "AppSecretValue0123456789abcdefXY";
    static final String SUPERUSER_PASSWORD = "SuperSecretValue0123456789abcdXY";
    static final String REPLICATION_PASSWORD = "ReplSecretValue0123456789abcdeXY";

    private Specs() {
    }

    static ClusterDefinition definition(String name, int instances, String size) {
        return new ClusterDefinition(name, instances, Map.of(), ClusterDefinition.SynchronousReplication.ASYNC, size, null, 0, "app", "app");
    }

    static KubernetesClusterSpec spec(String name, int instances, String size, String primary) {
        return new KubernetesClusterSpec("database", definition(name, instances, size), "longhorn", "registry.example/pgpilot-instance:0.1.0",
                null, primary, "uid-1", "kafka.pgpilot.svc:9092", new Credentials("app", APP_PASSWORD),
                new Credentials("postgres", SUPERUSER_PASSWORD), new Credentials("streaming_replica", REPLICATION_PASSWORD));
    }
}
