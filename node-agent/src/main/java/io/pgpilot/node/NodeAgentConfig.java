package io.pgpilot.node;

import io.pgpilot.instance.node.wire.JoinToken;
import io.pgpilot.instance.runtime.ConfigFields;
import io.pgpilot.instance.runtime.InvalidConfigException;
import io.pgpilot.local.OsUser;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a node agent runs with, read from a properties file ({@link #FIELDS}; unknown fields are
 * refused, every violation names its field). The join token is in {@code join-token-file} (mode 0600
 * or stricter), never a value here; {@link #load} reads it, nothing logs it.
 *
 * @param labels     the node's labels as the placement sees them (the agent adds {@value #AGENT_PORT_LABEL})
 * @param capacity   how many instances the node may run (0: cordoned)
 * @param osUser     null: the current user, or {@value OsUser#DEFAULT_UNPRIVILEGED} when running as root
 * @param pgBinDirectory null: Debian's PostgreSQL 15 or what is on the PATH
 * @param instanceHeartbeatInterval how often each instance manager probes its instance and publishes its heartbeat
 * @param selfFenceTimeout          a primary that could publish no heartbeat and saw no majority streaming for
 *                                  this long is stopped by its instance manager; must stay below the failover
 *                                  service's lease ({@code pgpilot.failover.lease}, 8 s by default)
 */
public record NodeAgentConfig(String name, String address, String zone, Map<String, String> labels, int capacity,
                              String kafkaBootstrapServers, Path joinTokenFile, Path home, Path pgBinDirectory, String osUser,
                              int basePort, int httpPort, Duration heartbeatInterval,
                              Duration instanceHeartbeatInterval, Duration probeTimeout, Duration selfFenceTimeout) {

    public static final String AGENT_PORT_LABEL = io.pgpilot.instance.node.wire.NodeAgentServer.AGENT_PORT_LABEL;

    public static final List<String> FIELDS = List.of("name", "address", "zone", "labels", "capacity", "kafka-bootstrap-servers",
            "join-token-file", "home", "pg-bin-directory", "os-user", "base-port", "http-port", "heartbeat-interval",
            "instance-heartbeat-interval", "probe-timeout", "self-fence-timeout");

    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern OS_USER = Pattern.compile("[a-z_][-a-z0-9_]{0,31}");

    public NodeAgentConfig {
        labels = Map.copyOf(labels);
    }

    /** The labels published in the node record: the configured ones and the agent's port. */
    public Map<String, String> publishedLabels() {
        Map<String, String> published = new LinkedHashMap<>(labels);
        published.put(AGENT_PORT_LABEL, String.valueOf(httpPort));
        return published;
    }

    /** Reads and validates a file, checks the join token file (mode 0600 or stricter, not empty). */
    public static NodeAgentConfig load(Path file) {
        try {
            NodeAgentConfig config = of(ConfigFields.read(file));
            joinToken(config.joinTokenFile());
            return config;
        } catch (InvalidConfigException e) {
            throw e.getMessage().startsWith("invalid node agent") ? e : new InvalidConfigException("node agent", e.violations());
        }
    }

    /** The join token (private file, at least 16 printable characters; {@link JoinToken}). Never logged. */
    public static String joinToken(Path file) {
        return JoinToken.read("node agent", "join-token-file", file);
    }

    /** Pure: validates the values of a file, all violations at once. */
    public static NodeAgentConfig of(Map<String, String> values) {
        ConfigFields f = new ConfigFields(values).onlyKnown(FIELDS);
        String name = f.required("name", v -> NODE_NAME.matcher(v).matches() ? null
                : "not a node name (lower-case letters, digits, '-' and '.', at most 63)");
        String address = f.required("address", v -> ConfigFields.IP_LITERAL.matcher(v).matches() ? null : "not an IP address");
        String zone = f.optional("zone", "", v -> LABEL_VALUE.matcher(v).matches() ? null : "not a zone name");
        Map<String, String> labels = labels(f, values.getOrDefault("labels", ""));
        int capacity = f.integer("capacity", 4, 0, 999);
        String kafka = f.required("kafka-bootstrap-servers", ConfigFields::hostPorts);
        Path token = f.path("join-token-file", true);
        Path home = f.path("home", true);
        Path pgBin = f.path("pg-bin-directory", false);
        String osUser = f.optional("os-user", null, v -> !OS_USER.matcher(v).matches() ? "not a user name"
                : !OsUser.isRoot() && !v.equals(System.getProperty("user.name")) ? "only root can run PostgreSQL as another user" : null);
        int basePort = f.integer("base-port", 5432, 1024, 65000);
        int httpPort = f.integer("http-port", 8008, 1, 65535);
        Duration interval = f.duration("heartbeat-interval", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration instanceInterval = f.duration("instance-heartbeat-interval", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration probeTimeout = f.duration("probe-timeout", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration fence = f.duration("self-fence-timeout", Duration.ofSeconds(4), Duration.ofMillis(200), Duration.ofMinutes(10));
        if (instanceInterval != null && fence != null && fence.compareTo(instanceInterval.multipliedBy(2)) < 0) {
            f.violation("field 'self-fence-timeout': must be at least two instance heartbeat intervals ("
                    + instanceInterval.multipliedBy(2).toMillis() + " ms)");
        }
        if (!f.violations().isEmpty()) {
            throw new InvalidConfigException("node agent", f.violations());
        }
        return new NodeAgentConfig(name, address, zone, labels, capacity, kafka, token, home, pgBin, osUser, basePort, httpPort, interval,
                instanceInterval, probeTimeout, fence);
    }

    private static Map<String, String> labels(ConfigFields f, String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
            String value = eq < 0 ? null : pair.substring(eq + 1).strip();
            if (value == null || !LABEL_KEY.matcher(key).matches() || !LABEL_VALUE.matcher(value).matches()) {
                f.violation("field 'labels': '" + Names.printable(pair.strip()) + "' is not key=value");
            } else if (key.equals(AGENT_PORT_LABEL)) {
                f.violation("field 'labels': " + AGENT_PORT_LABEL + " is set by the agent (http-port)");
            } else {
                labels.put(key, value);
            }
        }
        return labels;
    }
}
