package io.pgpilot.services;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.services.*}: the first endpoint port, the HAProxy binary, the resync interval, the
 * first pooler port (PgBouncer's usual 6432) and the PgBouncer binary.
 */
@ConfigurationProperties(prefix = "pgpilot.services")
public record ServicesProperties(Integer basePort, String haproxyBinary, Duration resyncInterval, Integer poolerBasePort,
                                 String pgbouncerBinary) {

    public ServicesProperties {
        if (basePort == null) {
            basePort = 5432;
        }
        if (haproxyBinary == null || haproxyBinary.isBlank()) {
            haproxyBinary = "/usr/sbin/haproxy";
        }
        if (poolerBasePort == null) {
            poolerBasePort = 6432;
        }
        if (pgbouncerBinary == null || pgbouncerBinary.isBlank()) {
            pgbouncerBinary = "/usr/sbin/pgbouncer";
        }
        if (resyncInterval == null) {
            resyncInterval = Duration.ofSeconds(2);
        }
    }
}
