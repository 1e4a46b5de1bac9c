package io.pgpilot.backup;

import io.pgpilot.events.Lsn;
import io.pgpilot.model.ClusterDefinition.RecoveryTarget;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which base backup a recovery starts from: the one named, or the latest that ends before the
 * target (time: ended strictly before it; LSN: ended at or before it; name, immediate, end of
 * WAL: the latest). Only complete (DONE) backups with their data count. A target before every
 * backup, an unknown or incomplete backup, or a named backup that ends after the target are
 * refused with the reason: never a silent partial restore. Pure.
 */
public final class RecoveryPlanner {

    public sealed interface Plan permits Chosen, Refused {
    }

    public record Chosen(BackupInfo backup) implements Plan {
    }

    public record Refused(String reason) implements Plan {
    }

    private RecoveryPlanner() {
    }

    /** {@code backups}: what the source bucket holds, any order; {@code hasData}: whether its tarball is there. */
    public static Plan choose(List<StoredBackups.Stored> backups, RecoveryTarget target, String backupId, String where) {
        List<StoredBackups.Stored> complete = backups.stream().filter(b -> b.info().done() && b.data() != null
                        && b.info().endTime() != null && b.info().endWal() != null && b.info().beginWal() != null)
                .sorted(Comparator.comparing((StoredBackups.Stored b) -> b.info().endTime())).toList();
        if (backupId != null) {
            Optional<StoredBackups.Stored> named = backups.stream().filter(b -> b.info().backupId().equals(backupId)).findFirst();
            if (named.isEmpty()) {
                return new Refused("backup " + backupId + " does not exist in " + where);
            }
            if (!complete.contains(named.get())) {
                return new Refused("backup " + backupId + " in " + where + " is not complete (status " + named.get().info().status()
                        + (named.get().data() == null ? ", no data" : "") + ")");
            }
            BackupInfo info = named.get().info();
            if (target.time() != null && !info.endTime().isBefore(target.time())) {
                return new Refused("backup " + backupId + " ends at " + info.endTime() + ", not before the target time " + target.time());
            }
            if (target.lsn() != null && Lsn.parse(info.endXlog()) > Lsn.parse(target.lsn())) {
                return new Refused("backup " + backupId + " ends at LSN " + info.endXlog() + ", after the target LSN " + target.lsn());
            }
            return new Chosen(info);
        }
        if (complete.isEmpty()) {
            return new Refused("no complete base backup in " + where);
        }
        List<StoredBackups.Stored> eligible = complete.stream().filter(b -> {
            if (target.time() != null) {
                return b.info().endTime().isBefore(target.time());
            }
            if (target.lsn() != null) {
                return b.info().endXlog() != null && Lsn.parse(b.info().endXlog()) <= Lsn.parse(target.lsn());
            }
            return true;
        }).toList();
        if (eligible.isEmpty()) {
            BackupInfo first = complete.getFirst().info();
            return new Refused(target.time() != null
                    ? "no base backup ends before the target time " + target.time() + " (the first one, " + first.backupId()
                            + ", ends at " + first.endTime() + ")"
                    : "no base backup ends before the target LSN " + target.lsn() + " (the first one, " + first.backupId()
                            + ", ends at " + first.endXlog() + ")");
        }
        return new Chosen(eligible.getLast().info());
    }
}
