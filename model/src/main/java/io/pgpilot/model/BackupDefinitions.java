package io.pgpilot.model;

import io.pgpilot.model.ManifestException.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks CloudNativePG's {@code Backup} and {@code ScheduledBackup} manifests and resolves their
 * defaults. Pure: no I/O, every violation at once. pgpilot backs up to the cluster's object store
 * only ({@code method: barmanObjectStore}) and only online (a backup never stops the cluster).
 */
public final class BackupDefinitions {

    public static final String METHOD = "barmanObjectStore";
    public static final Set<String> TARGETS = Set.of("primary", "prefer-standby");
    public static final Set<String> OWNER_REFERENCES = Set.of("none", "self", "cluster");
    /** A scheduled backup's Backup objects are named {@code <name>-<yyyyMMddHHmmss>} and must stay valid names. */
    public static final int MAX_SCHEDULE_NAME = 35;

    /** An on-demand backup: {@code target} null means the cluster's own {@code spec.backup.target}. */
    public record BackupRequest(String name, String cluster, String target) {
    }

    /**
     * A schedule of base backups.
     *
     * @param backupOwnerReference none (the Backup objects it creates stay), self (they go with the
     *                             ScheduledBackup), cluster (they go with the cluster)
     */
    public record ScheduledBackup(String name, String cluster, CronSchedule schedule, boolean immediate, boolean suspend,
                                  String backupOwnerReference, String target) {
    }

    private BackupDefinitions() {
    }

    public static BackupRequest validate(BackupManifest manifest) {
        List<Violation> violations = new ArrayList<>();
        ClusterObjectHeader.check(manifest.apiVersion(), manifest.kind(), BackupManifest.KIND, manifest.name(), "backup", violations);
        var spec = manifest.spec();
        if (spec == null) {
            violations.add(new Violation("spec", "is required"));
            throw new ManifestException(violations);
        }
        String cluster = ClusterObjectHeader.cluster(spec.cluster(), violations);
        method(spec.method(), violations);
        online(spec.online(), violations);
        String target = target(spec.target(), violations);
        if (!violations.isEmpty()) {
            throw new ManifestException(violations);
        }
        return new BackupRequest(manifest.name(), cluster, target);
    }

    public static ScheduledBackup validate(ScheduledBackupManifest manifest) {
        List<Violation> violations = new ArrayList<>();
        ClusterObjectHeader.check(manifest.apiVersion(), manifest.kind(), ScheduledBackupManifest.KIND, manifest.name(),
                "scheduled backup", violations);
        var spec = manifest.spec();
        if (spec == null) {
            violations.add(new Violation("spec", "is required"));
            throw new ManifestException(violations);
        }
        if (manifest.name() != null && manifest.name().length() > MAX_SCHEDULE_NAME) {
            violations.add(new Violation("metadata.name", "at most " + MAX_SCHEDULE_NAME
                    + " characters (the Backup objects it creates are named <name>-<yyyyMMddHHmmss>)"));
        }
        String cluster = ClusterObjectHeader.cluster(spec.cluster(), violations);
        CronSchedule schedule = null;
        if (spec.schedule() == null || spec.schedule().isBlank()) {
            violations.add(new Violation("spec.schedule", "is required (6-field cron, seconds first, UTC; e.g. '0 0 0 * * *')"));
        } else {
            try {
                schedule = CronSchedule.parse(spec.schedule());
            } catch (IllegalArgumentException e) {
                violations.add(new Violation("spec.schedule", e.getMessage()));
            }
        }
        String owner = spec.backupOwnerReference() == null ? "none" : spec.backupOwnerReference();
        if (!OWNER_REFERENCES.contains(owner)) {
            violations.add(new Violation("spec.backupOwnerReference", "must be none, self or cluster"));
        }
        method(spec.method(), violations);
        online(spec.online(), violations);
        String target = target(spec.target(), violations);
        if (!violations.isEmpty()) {
            throw new ManifestException(violations);
        }
        return new ScheduledBackup(manifest.name(), cluster, schedule, Boolean.TRUE.equals(spec.immediate()),
                Boolean.TRUE.equals(spec.suspend()), owner, target);
    }

    private static void method(String method, List<Violation> violations) {
        if (method == null || METHOD.equals(method)) {
            return;
        }
        if ("volumeSnapshot".equals(method) || "plugin".equals(method)) {
            violations.add(new Violation("spec.method", "'" + method + "' is not supported: pgpilot takes base backups to the cluster's "
                    + "object store (barmanObjectStore)"));
        } else {
            violations.add(new Violation("spec.method", "must be barmanObjectStore"));
        }
    }

    private static void online(Boolean online, List<Violation> violations) {
        if (Boolean.FALSE.equals(online)) {
            violations.add(new Violation("spec.online", "offline (cold) backups are not supported: pgpilot backs up a running cluster"));
        }
    }

    private static String target(String target, List<Violation> violations) {
        if (target != null && !TARGETS.contains(target)) {
            violations.add(new Violation("spec.target", "must be primary or prefer-standby"));
            return null;
        }
        return target;
    }
}
