package io.pgpilot.provisioner.tls;

import io.pgpilot.model.Names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a server certificate must carry: every address a client may use to reach the
 * instance, so that {@code sslmode=verify-full} succeeds directly and through the endpoints
 * ({@code <cluster>-rw/-ro/-r}, their {@code .<namespace>} and {@code .<namespace>.svc} forms as
 * CloudNativePG's server certificate, plus the loopback names). Pure.
 */
public record SubjectAltNames(List<String> dns, List<String> ips) {

    public static final String DEFAULT_NAMESPACE = "default";
    public static final List<String> ENDPOINT_SUFFIXES = List.of("rw", "ro", "r");

    public SubjectAltNames {
        dns = List.copyOf(new LinkedHashSet<>(dns));
        ips = List.copyOf(new LinkedHashSet<>(ips));
    }

    /**
     * For one instance reached at {@code host} (an IP literal or a DNS name).
     *
     * @param extraDns further DNS names from {@code spec.certificates.serverAltDNSNames} (validated by the model)
     */
    public static SubjectAltNames forInstance(String cluster, String instance, String host, String namespace, Collection<String> extraDns) {
        Names.requireCluster(cluster);
        Names.requireInstance(instance);
        String ns = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
        dns.add("localhost");
        dns.add(instance);
        for (String suffix : ENDPOINT_SUFFIXES) {
            String service = cluster + "-" + suffix;
            dns.add(service);
            dns.add(service + "." + ns);
            dns.add(service + "." + ns + ".svc");
        }
        if (host != null && !host.isBlank()) {
            (isIpLiteral(host) ? ips : dns).add(host);
        }
        if (extraDns != null) {
            dns.addAll(extraDns);
        }
        return new SubjectAltNames(dns, ips);
    }

    public boolean isEmpty() {
        return dns.isEmpty() && ips.isEmpty();
    }

    /** Comparable form: {@code dns:<name>} and {@code ip:<address>} in one sorted set (IPs as written). */
    public Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        dns.forEach(d -> keys.add("dns:" + d.toLowerCase(java.util.Locale.ROOT)));
        ips.forEach(ip -> keys.add("ip:" + normalizeIp(ip)));
        return keys;
    }

    static boolean isIpLiteral(String host) {
        return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":");
    }

    /** The textual form the JDK reports for an IP SAN (IPv6 expanded), so that sets compare. */
    public static String normalizeIp(String ip) {
        try {
            byte[] raw = java.net.InetAddress.getByName(ip).getAddress();
            return java.net.InetAddress.getByAddress(raw).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return ip;
        }
    }
}
