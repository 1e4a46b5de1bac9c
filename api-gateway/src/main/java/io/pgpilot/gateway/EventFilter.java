package io.pgpilot.gateway;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.model.Names;

import java.util.regex.Pattern;

/**
 * Which events a subscriber wants: one cluster or all, one type ({@code instance.created} or
 * {@code io.pgpilot.instance.created}), a family ({@code failover.*}) or all. Pure.
 */
record EventFilter(String cluster, String type, boolean typePrefix) {

    /** Dot-separated lower-case words (letters, digits, '_'), optionally the {@code io.pgpilot.} prefix, optionally ending in {@code .*}. */
    static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,30}(\\.[a-z][a-z0-9_]{0,30}){0,5}(\\.\\*)?");

    static final EventFilter ALL = new EventFilter(null, null, false);

    /** Validates the query parameters; {@link ApiException} 400 with the reason otherwise. */
    static EventFilter of(String cluster, String type) {
        if (cluster != null && !Names.CLUSTER.matcher(cluster).matches()) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "cluster: '" + Names.printable(cluster)
                    + "' is not a valid cluster name (lower-case letters, digits and '-', starting with a letter, at most 50 characters)");
        }
        String fullType = null;
        boolean prefix = false;
        if (type != null) {
            if (type.length() > 120 || !TYPE.matcher(type).matches() || type.equals("io.*")) {
                throw new ApiException(org.springframework.http.HttpStatus.BAD_REQUEST, "type: '" + Names.printable(type)
                        + "' is not an event type like 'failover.completed', 'io.pgpilot.instance.created' or 'failover.*'");
            }
            fullType = type.startsWith(PlatformEvent.PREFIX) ? type : PlatformEvent.PREFIX + type;
            if (fullType.endsWith(".*")) {
                prefix = true;
                fullType = fullType.substring(0, fullType.length() - 1); // keep the dot: "io.pgpilot.failover."
            }
        }
        return new EventFilter(cluster, fullType, prefix);
    }

    boolean matches(String key, PlatformEvent event) {
        if (cluster != null && !(cluster.equals(event.subject()) || event.subject() == null && cluster.equals(key))) {
            return false;
        }
        if (type == null) {
            return true;
        }
        return event.type() != null && (typePrefix ? event.type().startsWith(type) : event.type().equals(type));
    }
}
