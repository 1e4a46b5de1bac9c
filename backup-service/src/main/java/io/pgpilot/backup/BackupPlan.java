package io.pgpilot.backup;

import io.pgpilot.model.ClusterDefinition;

import java.time.Duration;

/**
 * Where and how a cluster is backed up, derived (purely) from its definition. The object layout
 * follows barman-cloud: {@code s3://<bucket>/<prefix>/<serverName>/{base,wals}/...}.
 */
public record BackupPlan(String cluster, String bucket, String serverPrefix, String walCompression,
                         Duration recoveryWindow) {

    public static BackupPlan of(ClusterDefinition cluster) {
        var backup = cluster.backup();
        if (backup == null) {
            return null;
        }
        String prefix = backup.prefix().isEmpty() ? backup.serverName() : backup.prefix() + "/" + backup.serverName();
        return new BackupPlan(cluster.name(), backup.bucket(), prefix,
                backup.walCompression() == null ? "none" : backup.walCompression(), window(backup.retentionPolicy()));
    }

    /** "30d", "4w", "6m" (months of 30 days, as barman counts them) to a duration; null = keep forever. */
    static Duration window(String policy) {
        if (policy == null) {
            return null;
        }
        long n = Long.parseLong(policy.substring(0, policy.length() - 1));
        return switch (policy.charAt(policy.length() - 1)) {
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            case 'm' -> Duration.ofDays(30 * n);
            default -> throw new IllegalArgumentException("not a retention window: " + policy);
        };
    }
}
