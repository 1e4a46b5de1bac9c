package io.pgpilot.cli;

import io.pgpilot.model.Names;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pure decisions of {@code pgpilot restore}: which base backup {@code --backup} means, and
 * the name of the new cluster when {@code --to} is not given. A restore never targets the source.
 */
public final class Restores {

    private static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{6}");
    private static final Pattern DAY = Pattern.compile("(?:(.+)-)?([0-9]{4}-[0-9]{2}-[0-9]{2})");
    private static final int MAX_NAME = 50;

    private Restores() {
    }

    /**
     * The backup id {@code ref} names among the cluster's backups (as {@code GET .../backups}
     * lists them): an id ({@code 20240201T020000}) as it is, or a day's name as CloudNativePG's
     * ScheduledBackups are called ({@code postgres-cluster-2024-02-01}, or only {@code 2024-02-01}):
     * the latest completed backup that started that day (UTC).
     */
    public static String backupId(String cluster, String ref, List<Map<String, Object>> backups) {
        if (BACKUP_ID.matcher(ref).matches()) {
            return ref;
        }
        Matcher day = DAY.matcher(ref);
        if (!day.matches() || (day.group(1) != null && !day.group(1).equals(cluster))) {
            throw new Exit.CliException(Exit.USAGE, "--backup: '" + Connection.printable(ref) + "' is neither a backup id (20240201T020000) nor "
                    + cluster + "-YYYY-MM-DD");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(day.group(2));
        } catch (DateTimeParseException e) {
            throw new Exit.CliException(Exit.USAGE, "--backup: '" + Connection.printable(ref) + "' has no valid date");
        }
        return backups.stream()
                .filter(b -> "completed".equals(b.get("status")) && b.get("startedAt") != null)
                .filter(b -> Instant.parse(String.valueOf(b.get("startedAt"))).atZone(ZoneOffset.UTC).toLocalDate().equals(date))
                .max(Comparator.comparing(b -> String.valueOf(b.get("backupId"))))
                .map(b -> String.valueOf(b.get("backupId")))
                .orElseThrow(() -> new Exit.CliException(Exit.NOT_FOUND, "no completed backup of " + cluster + " started on " + date
                        + " (UTC); completed backups: " + completed(backups)));
    }

    /** Whether {@code ref} is a backup id or a day's name (else it may be a Backup object's name). */
    public static boolean idOrDay(String ref) {
        return BACKUP_ID.matcher(ref).matches() || DAY.matcher(ref).matches();
    }

    /**
     * The backup id of a CloudNativePG Backup object ({@code GET /api/v1/backups/{name}}, e.g.
     * {@code postgres-cluster-daily-20240201020000}); it must be a backup of {@code cluster}.
     */
    public static String backupIdOfObject(String cluster, String ref, Map<String, Object> object) {
        Object of = object.get("cluster");
        Object id = object.get("backupId");
        if (!cluster.equals(of)) {
            throw new Exit.CliException(Exit.USAGE, "--backup: Backup " + Connection.printable(ref) + " is a backup of "
                    + Connection.printable(String.valueOf(of)) + ", not of " + cluster);
        }
        if (id == null || !BACKUP_ID.matcher(String.valueOf(id)).matches()) {
            throw new Exit.CliException(Exit.NOT_FOUND, "--backup: Backup " + Connection.printable(ref) + " has no base backup id");
        }
        return String.valueOf(id);
    }

    /** Refuses a backup that ended after the target time (recovery could never stop there). */
    public static void requireBefore(String backupId, Instant target, List<Map<String, Object>> backups) {
        if (target == null) {
            return;
        }
        Optional<Map<String, Object>> backup = backups.stream().filter(b -> backupId.equals(b.get("backupId"))).findFirst();
        if (backup.isEmpty()) {
            throw new Exit.CliException(Exit.NOT_FOUND, "no backup " + backupId + "; backups: " + completed(backups));
        }
        Object completedAt = backup.get().get("completedAt");
        if (completedAt != null && Instant.parse(String.valueOf(completedAt)).isAfter(target)) {
            throw new Exit.CliException(Exit.REFUSED, "backup " + backupId + " ended at " + completedAt + ", after the target time "
                    + target + "; choose an earlier backup");
        }
    }

    /** The longest cluster name the platform accepts under {@code home} ({@link io.pgpilot.model.Names#maxClusterNameFor}). */
    public static int maxClusterName(java.nio.file.Path home) {
        return io.pgpilot.model.Names.maxClusterNameFor(home.toAbsolutePath().toString());
    }

    /**
     * The new cluster's name without {@code --to}: {@code <source>-pitr-<YYYYMMDD-HHMMSS>} of the
     * target time in UTC, {@code <source>-restore-<backupid>} without one, {@code <source>-restore}
     * for the latest backup; the source part shortened to keep within {@code maxLength}.
     */
    public static String newClusterName(String source, Instant target, String backupId, int maxLength) {
        String suffix = target != null ? "-pitr-" + Times.compact(target)
                : backupId != null ? "-restore-" + backupId.toLowerCase(Locale.ROOT) : "-restore";
        if (maxLength - suffix.length() < 1) {
            throw new Exit.CliException(Exit.USAGE, "no default name fits in " + maxLength
                    + " characters (the platform home's path is long); name the new cluster with --to");
        }
        String base = source.length() + suffix.length() > maxLength ? source.substring(0, maxLength - suffix.length()) : source;
        while (base.endsWith("-")) {
            base = base.substring(0, base.length() - 1);
        }
        String name = base + suffix;
        if (!Names.CLUSTER.matcher(name).matches()) {
            throw new Exit.CliException(Exit.USAGE, "cannot make a cluster name from '" + Connection.printable(source) + "'; use --to");
        }
        return name;
    }

    /** Refuses a {@code --to} name too long for the instances' Unix sockets under the platform home. */
    public static void requireFits(String name, int maxLength) {
        if (name.length() > maxLength) {
            throw new Exit.CliException(Exit.USAGE, "--to: '" + name + "' has " + name.length() + " characters; under this platform home "
                    + "at most " + maxLength + " fit (PostgreSQL's Unix socket path limit)");
        }
    }

    private static String completed(List<Map<String, Object>> backups) {
        List<String> ids = backups.stream().filter(b -> "completed".equals(b.get("status"))).map(b -> String.valueOf(b.get("backupId"))).toList();
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }
}
