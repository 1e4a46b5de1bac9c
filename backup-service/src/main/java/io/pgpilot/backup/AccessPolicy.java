package io.pgpilot.backup;

import io.pgpilot.model.Names;

/**
 * Who may call which endpoint of the backup service. Pure.
 * <ul>
 * <li>{@code /actuator/**}: anyone who reaches the (loopback) port — health and metrics, no data;</li>
 * <li>{@code /wal/{cluster}/**} and {@code /recovery/{cluster}/**}: only with that cluster's token
 *     (its instances' archive_command / restore_command, and the provisioner restoring it);</li>
 * <li>everything else (base backups, retention, plans, schedules, archiving status): the internal
 *     service token (gateway, provisioner, operators with access to the platform's secrets).</li>
 * </ul>
 */
public final class AccessPolicy {

    /** What a request must present. */
    public sealed interface Requirement permits Open, ClusterToken, InternalToken, BadName {
    }

    public record Open() implements Requirement {
    }

    public record ClusterToken(String cluster) implements Requirement {
    }

    public record InternalToken() implements Requirement {
    }

    /** The path names no valid cluster: refused with 400 before any token is looked up. */
    public record BadName(String reason) implements Requirement {
    }

    private AccessPolicy() {
    }

    public static Requirement of(String path) {
        String p = path == null ? "" : path;
        if (p.equals("/actuator") || p.startsWith("/actuator/")) {
            return new Open();
        }
        for (String prefix : new String[] {"/wal/", "/recovery/"}) {
            if (p.startsWith(prefix)) {
                String rest = p.substring(prefix.length());
                int slash = rest.indexOf('/');
                String cluster = slash < 0 ? rest : rest.substring(0, slash);
                if (!Names.CLUSTER.matcher(cluster).matches()) {
                    return new BadName("'" + Names.printable(cluster) + "' is not a cluster name");
                }
                return new ClusterToken(cluster);
            }
        }
        return new InternalToken();
    }
}
