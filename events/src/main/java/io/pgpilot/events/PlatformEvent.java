package io.pgpilot.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A CloudEvents 1.0 envelope (structured JSON mode) for something that happened. {@code subject}
 * is the cluster name, {@code instance} an extension attribute when one instance is concerned.
 */
public record PlatformEvent(String specversion, String id, String source, String type, String subject,
                            String instance, Instant time, String datacontenttype,
                            Map<String, Object> data) {

    public static final String PREFIX = "io.pgpilot.";

    public static PlatformEvent of(String source, String type, String cluster, String instance,
                                   Map<String, Object> data) {
        return new PlatformEvent("1.0", UUID.randomUUID().toString(), "/pgpilot/" + source, PREFIX + type,
                cluster, instance, Instant.now(), "application/json", data);
    }
}
