package io.pgpilot.node;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One instance manager as the node agent starts it: the instance and the content of its
 * configuration file ({@code io.pgpilot.instance.runtime.InstanceManagerConfig}'s fields; no secret:
 * the superuser is in the file {@code credentials-file} names). Two launches with equal properties
 * are the same manager; any change means a restart.
 */
record ManagerLaunch(String cluster, String instance, Map<String, String> properties) {

    ManagerLaunch {
        properties = Map.copyOf(new TreeMap<>(properties));
    }

    /**
     * The launch of the manager beside {@code instance}: it probes its instance over loopback (the
     * server listens there too), publishes to the node's Kafka and answers its checks on loopback only.
     */
    static ManagerLaunch of(ManagerSettings settings, String cluster, String instance, io.pgpilot.instance.node.ManagerSpec spec,
                            int port, java.nio.file.Path dataDirectory, java.nio.file.Path pgBin, java.nio.file.Path credentialsFile) {
        Map<String, String> p = new TreeMap<>();
        p.put("cluster", cluster);
        p.put("uid", spec.uid());
        p.put("instance", instance);
        p.put("cluster-size", String.valueOf(spec.clusterSize()));
        p.put("host", "127.0.0.1");
        p.put("port", String.valueOf(port));
        p.put("data-directory", dataDirectory.toString());
        p.put("pg-bin-directory", pgBin.toString());
        p.put("kafka-bootstrap-servers", settings.kafkaBootstrapServers());
        p.put("heartbeat-interval", settings.heartbeatInterval().toMillis() + "ms");
        p.put("probe-timeout", settings.probeTimeout().toMillis() + "ms");
        p.put("self-fence-timeout", settings.selfFenceTimeout().toMillis() + "ms");
        p.put("credentials-file", credentialsFile.toString());
        p.put("http-address", "127.0.0.1");
        p.put("http-port", "0");
        return new ManagerLaunch(cluster, instance, p);
    }

    /** What every instance manager of a node shares (the node agent's configuration). */
    record ManagerSettings(String kafkaBootstrapServers, java.time.Duration heartbeatInterval, java.time.Duration probeTimeout,
                           java.time.Duration selfFenceTimeout) {
    }

    /** The configuration file's text, fields sorted. */
    String file() {
        return new TreeMap<>(properties).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "# written by the node agent; replaced when the cluster's spec changes\n", "\n"));
    }
}
