package io.pgpilot.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a recovery window ({@code retentionPolicy: 30d}) lets go, as barman's recovery-window
 * policy: every point in time inside the window must stay recoverable, so every backup that ends
 * inside it is kept, plus the newest complete backup that ended before the window started (the
 * base for the window's first moments), and every WAL file from that backup's begin WAL on.
 * Older backups (and failed ones older than the window) and older WAL go. Never deleted, whatever
 * else holds: anything written inside the window, history files, and anything at all when there
 * is no complete backup to anchor the window. Pure.
 */
public final class RetentionPlanner {

    /**
     * A backup as the planner sees it ({@code endTime} null: unfinished; {@code lastWritten}: the
     * time of its newest stored object, null when unknown).
     */
    public record Backup(String backupId, String status, String beginWal, Instant endTime, Instant lastWritten) {

        public Backup(String backupId, String status, String beginWal, Instant endTime) {
            this(backupId, status, beginWal, endTime, null);
        }
    }

    /** A stored object under {@code wals/} with its time. */
    public record WalObject(String key, Instant lastModified) {
    }

    public record Plan(List<String> deleteBackups, List<String> deleteWal, String keptAnchor, String oldestWalKept) {

        public static final Plan NOTHING = new Plan(List.of(), List.of(), null, null);

        public boolean empty() {
            return deleteBackups.isEmpty() && deleteWal.isEmpty();
        }
    }

    private static final Pattern SEGMENT = Pattern.compile("(?:^|/)([0-9A-F]{24})(?:\\.partial|\\.[0-9A-F]{8}\\.backup)?(?:\\.[a-z0-9]+)*$");

    private RetentionPlanner() {
    }

    public static Plan plan(List<Backup> backups, List<WalObject> wal, Instant now, Duration window) {
        if (window == null) {
            return Plan.NOTHING;
        }
        Instant start = now.minus(window);
        List<Backup> done = backups.stream().filter(b -> BackupInfo.DONE.equals(b.status()) && b.endTime() != null && b.beginWal() != null)
                .sorted(Comparator.comparing(Backup::endTime)).toList();
        Optional<Backup> anchor = done.stream().filter(b -> b.endTime().isBefore(start)).reduce((a, b) -> b);
        if (anchor.isEmpty()) {
            // nothing complete before the window: the oldest backup inside it (if any) is the base, WAL before it unused by any
            // backup; still kept (it could be the only way back to the window's start once a backup arrives) - delete nothing
            return new Plan(List.of(), List.of(), null, null);
        }
        Backup base = anchor.get();
        List<String> deleteBackups = backups.stream()
                // ended before the window (so older than the base, which is the newest such complete one), complete or failed
                .filter(b -> b.endTime() != null && b.endTime().isBefore(start) && !b.backupId().equals(base.backupId())
                        && (BackupInfo.DONE.equals(b.status()) || BackupInfo.FAILED.equals(b.status()))
                        // objects written inside the window stay, whatever backup.info says (copied in, clock skew)
                        && (b.lastWritten() == null || b.lastWritten().isBefore(start)))
                .map(Backup::backupId).distinct().sorted().toList();
        String oldestNeeded = base.beginWal();
        List<String> deleteWal = new ArrayList<>();
        for (WalObject o : wal) {
            if (o.lastModified() == null || !o.lastModified().isBefore(start)) {
                continue; // inside the window: never
            }
            Matcher m = SEGMENT.matcher(o.key());
            if (!m.find()) {
                continue; // history files and anything unknown stay
            }
            if (m.group(1).compareTo(oldestNeeded) < 0) {
                deleteWal.add(o.key());
            }
        }
        return new Plan(deleteBackups, deleteWal, base.backupId(), oldestNeeded);
    }
}
