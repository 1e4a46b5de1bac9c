package io.pgpilot.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.events.*}: at most {@code maxSubscribers} concurrent streams (503 beyond), a comment
 * every {@code heartbeat} so that proxies keep the connection and a gone client is noticed, and a
 * stream ends after {@code streamTimeout} (EventSource clients reconnect with Last-Event-ID).
 */
@ConfigurationProperties(prefix = "pgpilot.events")
record EventStreamProperties(Integer maxSubscribers, Duration heartbeat, Duration streamTimeout) {

    EventStreamProperties {
        if (maxSubscribers == null) {
            maxSubscribers = 50;
        }
        if (maxSubscribers < 1) {
            throw new IllegalArgumentException("pgpilot.events.max-subscribers must be at least 1");
        }
        if (heartbeat == null) {
            heartbeat = Duration.ofSeconds(15);
        }
        if (streamTimeout == null) {
            streamTimeout = Duration.ofMinutes(30);
        }
    }
}
