package io.pgpilot.instance.runtime;

import io.pgpilot.model.Names;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one instance manager runs with, read from a properties file ({@link #FIELDS}). No secret is
 * ever a value here: the superuser credentials are in {@code credentials-file} (mode 0600, the
 * provisioner's {@code {"username", "password"}} JSON).
 *
 * @param clusterSize   instances in the cluster: a primary keeps its lease while it sees a majority streaming
 * @param httpPort      0: any free port (logged at start)
 * @param frozenKillAfter how long this primary may stay stopped by a signal without answering before it is
 *                      killed ({@code io.pgpilot.instance.fencing.FreezeGuard}); zero disables it
 */
public record InstanceManagerConfig(String cluster, String uid, String instance, int clusterSize, String host, int port,
                                    Path dataDirectory, Path pgBinDirectory, String kafkaBootstrapServers,
                                    Duration heartbeatInterval, Duration probeTimeout, Duration selfFenceTimeout,
                                    Path credentialsFile, String httpAddress, int httpPort, Duration frozenKillAfter) {

    /** Every field a file may set; anything else is refused (a misspelt field must not silently fall back). */
    public static final List<String> FIELDS = List.of("cluster", "uid", "instance", "cluster-size", "host", "port",
            "data-directory", "pg-bin-directory", "kafka-bootstrap-servers", "heartbeat-interval", "probe-timeout",
            "self-fence-timeout", "credentials-file", "http-address", "http-port", "frozen-kill-after");

    private static final Pattern UID = Pattern.compile("[-a-zA-Z0-9]{1,64}");

    /** Reads and validates a file; also checks the credentials file (exists, mode 0600 or stricter, has a password). */
    public static InstanceManagerConfig load(Path file) {
        Map<String, String> values = ConfigFields.read(file);
        InstanceManagerConfig config = of(values);
        List<String> violations = credentialsFileViolations(config.credentialsFile());
        if (!violations.isEmpty()) {
            throw new InvalidConfigException(violations);
        }
        return config;
    }

    /** Pure: validates the values of a file, all violations at once, each naming its field. */
    public static InstanceManagerConfig of(Map<String, String> values) {
        ConfigFields f = new ConfigFields(values).onlyKnown(FIELDS);
        String cluster = f.required("cluster", v -> Names.CLUSTER.matcher(v).matches() ? null
                : "not a valid cluster name (lower-case letters, digits and '-', starting with a letter)");
        String uid = f.required("uid", v -> UID.matcher(v).matches() ? null : "not a cluster incarnation uid");
        String instance = f.required("instance", v -> !Names.INSTANCE.matcher(v).matches() ? "not a valid instance name"
                : cluster != null && !v.startsWith(cluster + "-") ? "not an instance of cluster '" + cluster + "'" : null);
        int clusterSize = f.integer("cluster-size", null, 1, 99);
        String host = f.optional("host", "127.0.0.1", v -> ConfigFields.HOST.matcher(v).matches() ? null : "not a host name or address");
        int port = f.integer("port", null, 1, 65535);
        Path dataDirectory = f.path("data-directory", true);
        Path pgBin = f.path("pg-bin-directory", false);
        String kafka = f.required("kafka-bootstrap-servers", ConfigFields::hostPorts);
        Duration interval = f.duration("heartbeat-interval", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration probeTimeout = f.duration("probe-timeout", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration fence = f.duration("self-fence-timeout", Duration.ofSeconds(4), Duration.ofMillis(200), Duration.ofMinutes(10));
        if (interval != null && fence != null && fence.compareTo(interval.multipliedBy(2)) < 0) {
            f.violation("field 'self-fence-timeout': must be at least two heartbeat intervals (" + interval.multipliedBy(2).toMillis() + " ms)");
        }
        Path credentials = f.path("credentials-file", true);
        String httpAddress = f.optional("http-address", "127.0.0.1", v -> v.equals("localhost") || ConfigFields.IP_LITERAL.matcher(v).matches()
                ? null : "not an IP address (or localhost)");
        int httpPort = f.integer("http-port", 0, 0, 65535);
        // 0 disables killing a primary frozen by a signal (see FreezeGuard)
        Duration frozenKillAfter = values.containsKey("frozen-kill-after") && values.get("frozen-kill-after").equals("0") ? Duration.ZERO
                : f.duration("frozen-kill-after", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(10));
        if (!f.violations().isEmpty()) {
            throw new InvalidConfigException(f.violations());
        }
        return new InstanceManagerConfig(cluster, uid, instance, clusterSize, host, port, dataDirectory, pgBin, kafka,
                interval, probeTimeout, fence, credentials, httpAddress, httpPort, frozenKillAfter);
    }

    /** The credentials file must exist, be a regular file readable by no one but its owner. */
    static List<String> credentialsFileViolations(Path file) {
        return ConfigFields.privateFileViolations("credentials-file", file);
    }
}
