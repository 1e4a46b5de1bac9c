package io.pgpilot.services;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** {@code pgpilot.services.*}: the first endpoint port, the HAProxy binary and the resync interval. */
@ConfigurationProperties(prefix = "pgpilot.services")
public record ServicesProperties(Integer basePort, String haproxyBinary, Duration resyncInterval) {

    public ServicesProperties {
        if (basePort == null) {
            basePort = 5432;
        }
        if (haproxyBinary == null || haproxyBinary.isBlank()) {
            haproxyBinary = "/usr/sbin/haproxy";
        }
        if (resyncInterval == null) {
            resyncInterval = Duration.ofSeconds(2);
        }
    }
}
