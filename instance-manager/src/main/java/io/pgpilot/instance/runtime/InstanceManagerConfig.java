package io.pgpilot.instance.runtime;

import io.pgpilot.model.Names;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
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
    private static final Pattern HOST = Pattern.compile("[-a-zA-Z0-9.:\\[\\]]{1,253}");
    private static final Pattern IP_LITERAL = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3})|([0-9a-fA-F:]*:[0-9a-fA-F:.]*)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})(ms|s|m)");

    /** Reads and validates a file; also checks the credentials file (exists, mode 0600 or stricter, has a password). */
    public static InstanceManagerConfig load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new InvalidConfigException(List.of("configuration file " + file + ": cannot be read ("
                    + e.getClass().getSimpleName() + ")"));
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        InstanceManagerConfig config = of(values);
        List<String> violations = credentialsFileViolations(config.credentialsFile());
        if (!violations.isEmpty()) {
            throw new InvalidConfigException(violations);
        }
        return config;
    }

    /** Pure: validates the values of a file, all violations at once, each naming its field. */
    public static InstanceManagerConfig of(Map<String, String> values) {
        Fields f = new Fields(values);
        values.keySet().stream().filter(k -> !FIELDS.contains(k)).sorted()
                .forEach(k -> f.violations.add("field '" + Names.printable(k) + "': unknown (known: " + String.join(", ", FIELDS) + ")"));
        String cluster = f.required("cluster", v -> Names.CLUSTER.matcher(v).matches() ? null
                : "not a valid cluster name (lower-case letters, digits and '-', starting with a letter)");
        String uid = f.required("uid", v -> UID.matcher(v).matches() ? null : "not a cluster incarnation uid");
        String instance = f.required("instance", v -> !Names.INSTANCE.matcher(v).matches() ? "not a valid instance name"
                : cluster != null && !v.startsWith(cluster + "-") ? "not an instance of cluster '" + cluster + "'" : null);
        int clusterSize = f.integer("cluster-size", null, 1, 99);
        String host = f.optional("host", "127.0.0.1", v -> HOST.matcher(v).matches() ? null : "not a host name or address");
        int port = f.integer("port", null, 1, 65535);
        Path dataDirectory = f.path("data-directory", true);
        Path pgBin = f.path("pg-bin-directory", false);
        String kafka = f.required("kafka-bootstrap-servers", v -> {
            for (String server : v.split(",")) {
                int colon = server.trim().lastIndexOf(':');
                if (colon <= 0 || !HOST.matcher(server.trim().substring(0, colon)).matches()
                        || !server.trim().substring(colon + 1).matches("\\d{1,5}")) {
                    return "'" + Names.printable(server.trim()) + "' is not host:port";
                }
            }
            return null;
        });
        Duration interval = f.duration("heartbeat-interval", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration probeTimeout = f.duration("probe-timeout", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(60));
        Duration fence = f.duration("self-fence-timeout", Duration.ofSeconds(4), Duration.ofMillis(200), Duration.ofMinutes(10));
        if (interval != null && fence != null && fence.compareTo(interval.multipliedBy(2)) < 0) {
            f.violations.add("field 'self-fence-timeout': must be at least two heartbeat intervals (" + interval.multipliedBy(2).toMillis() + " ms)");
        }
        Path credentials = f.path("credentials-file", true);
        String httpAddress = f.optional("http-address", "127.0.0.1", v -> v.equals("localhost") || IP_LITERAL.matcher(v).matches()
                ? null : "not an IP address (or localhost)");
        int httpPort = f.integer("http-port", 0, 0, 65535);
        // 0 disables killing a primary frozen by a signal (see FreezeGuard)
        Duration frozenKillAfter = values.containsKey("frozen-kill-after") && values.get("frozen-kill-after").equals("0") ? Duration.ZERO
                : f.duration("frozen-kill-after", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(10));
        if (!f.violations.isEmpty()) {
            throw new InvalidConfigException(f.violations);
        }
        return new InstanceManagerConfig(cluster, uid, instance, clusterSize, host, port, dataDirectory, pgBin, kafka,
                interval, probeTimeout, fence, credentials, httpAddress, httpPort, frozenKillAfter);
    }

    /** The credentials file must exist, be a regular file readable by no one but its owner. */
    static List<String> credentialsFileViolations(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of("field 'credentials-file': " + file + " does not exist or is not a regular file");
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            open.retainAll(permissions);
            if (!open.isEmpty()) {
                return List.of("field 'credentials-file': " + file + " is accessible to group or others (chmod 600)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return List.of("field 'credentials-file': " + file + " permissions cannot be read");
        }
        return List.of();
    }

    /** The file's values, checked one field at a time; violations are collected, never thrown one by one. */
    private static final class Fields {
        private final Map<String, String> values;
        private final List<String> violations = new ArrayList<>();

        Fields(Map<String, String> values) {
            this.values = values;
        }

        String required(String field, Function<String, String> check) {
            String value = values.get(field);
            if (value == null || value.isBlank()) {
                violations.add("field '" + field + "': required");
                return null;
            }
            return checked(field, value, check);
        }

        String optional(String field, String fallback, Function<String, String> check) {
            String value = values.get(field);
            return value == null || value.isBlank() ? fallback : checked(field, value, check);
        }

        private String checked(String field, String value, Function<String, String> check) {
            String problem = check.apply(value);
            if (problem != null) {
                violations.add("field '" + field + "': '" + Names.printable(value) + "' " + problem);
                return null;
            }
            return value;
        }

        int integer(String field, Integer fallback, int min, int max) {
            String value = fallback == null ? required(field, v -> null) : optional(field, String.valueOf(fallback), v -> null);
            if (value == null) {
                return -1;
            }
            try {
                int n = Integer.parseInt(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            violations.add("field '" + field + "': '" + Names.printable(value) + "' is not a whole number from " + min + " to " + max);
            return -1;
        }

        Path path(String field, boolean required) {
            Function<String, String> absolute = v -> Path.of(v).isAbsolute() && !v.contains("\0") ? null : "is not an absolute path";
            String value = required ? required(field, absolute) : optional(field, null, absolute);
            return value == null ? null : Path.of(value).normalize();
        }

        Duration duration(String field, Duration fallback, Duration min, Duration max) {
            String value = optional(field, null, v -> DURATION.matcher(v).matches() ? null : "is not a duration like 500ms, 1s or 2m");
            if (value == null) {
                return values.containsKey(field) && !values.get(field).isBlank() ? null : fallback;
            }
            var m = DURATION.matcher(value);
            m.matches();
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                violations.add("field '" + field + "': " + value + " is outside " + min.toMillis() + " ms .. " + max.toMillis() + " ms");
                return null;
            }
            return d;
        }
    }
}
