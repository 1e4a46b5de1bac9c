package io.pgpilot.services;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.services.*}: the first endpoint port, the HAProxy binary, the resync interval, the
 * first pooler port (PgBouncer's usual 6432), the PgBouncer binary and the address the endpoints
 * and poolers listen on ({@code listen-address}: loopback by default; a host's own IPv4 address
 * when clients on other hosts must reach them).
 */
@ConfigurationProperties(prefix = "pgpilot.services")
public record ServicesProperties(Integer basePort, String haproxyBinary, Duration resyncInterval, Integer poolerBasePort,
                                 String pgbouncerBinary, String listenAddress) {

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

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
        if (listenAddress == null || listenAddress.isBlank()) {
            listenAddress = HaproxyConfigRenderer.LISTEN_ADDRESS;
        }
        if (!IPV4.matcher(listenAddress).matches() || listenAddress.equals("0.0.0.0")) {
            throw new IllegalArgumentException("pgpilot.services.listen-address: '" + listenAddress
                    + "' is not one IPv4 address of this host (e.g. 127.0.0.1 or 10.0.0.5; not a name, not 0.0.0.0)");
        }
    }
}
