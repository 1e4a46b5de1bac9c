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
 * The values of a plain-Java main's properties file (the instance manager's, the node agent's),
 * checked one field at a time; violations are collected, each naming its field, never thrown one
 * by one, and never carry the content of a secret file.
 */
public final class ConfigFields {

    public static final Pattern HOST = Pattern.compile("[-a-zA-Z0-9.:\\[\\]]{1,253}");
    public static final Pattern IP_LITERAL = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3})|([0-9a-fA-F:]*:[0-9a-fA-F:.]*)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})(ms|s|m)");

    private final Map<String, String> values;
    private final List<String> violations = new ArrayList<>();

    public ConfigFields(Map<String, String> values) {
        this.values = values;
    }

    /** A properties file's values, trimmed; an unreadable file is an InvalidConfigException. */
    public static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new InvalidConfigException(List.of("configuration file " + file + ": cannot be read ("
                    + e.getClass().getSimpleName() + ")"));
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        return values;
    }

    /** Every field not in {@code known} is a violation (a misspelt field must not silently fall back). */
    public ConfigFields onlyKnown(List<String> known) {
        values.keySet().stream().filter(k -> !known.contains(k)).sorted()
                .forEach(k -> violations.add("field '" + Names.printable(k) + "': unknown (known: " + String.join(", ", known) + ")"));
        return this;
    }

    public List<String> violations() {
        return violations;
    }

    public void violation(String message) {
        violations.add(message);
    }

    /** Null when {@code host:port[,host:port]}, else the problem. */
    public static String hostPorts(String value) {
        for (String server : value.split(",")) {
            int colon = server.trim().lastIndexOf(':');
            if (colon <= 0 || !HOST.matcher(server.trim().substring(0, colon)).matches()
                    || !server.trim().substring(colon + 1).matches("\\d{1,5}")) {
                return "'" + Names.printable(server.trim()) + "' is not host:port";
            }
        }
        return null;
    }

    /** A file that holds a secret must exist, be a regular file readable by no one but its owner. */
    public static List<String> privateFileViolations(String field, Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of("field '" + field + "': " + file + " does not exist or is not a regular file");
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            open.retainAll(permissions);
            if (!open.isEmpty()) {
                return List.of("field '" + field + "': " + file + " is accessible to group or others (chmod 600)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return List.of("field '" + field + "': " + file + " permissions cannot be read");
        }
        return List.of();
    }

    public String required(String field, Function<String, String> check) {
        String value = values.get(field);
        if (value == null || value.isBlank()) {
            violations.add("field '" + field + "': required");
            return null;
        }
        return checked(field, value, check);
    }

    public String optional(String field, String fallback, Function<String, String> check) {
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

    public int integer(String field, Integer fallback, int min, int max) {
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

    public Path path(String field, boolean required) {
        Function<String, String> absolute = v -> Path.of(v).isAbsolute() && !v.contains("\0") ? null : "is not an absolute path";
        String value = required ? required(field, absolute) : optional(field, null, absolute);
        return value == null ? null : Path.of(value).normalize();
    }

    public Duration duration(String field, Duration fallback, Duration min, Duration max) {
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
