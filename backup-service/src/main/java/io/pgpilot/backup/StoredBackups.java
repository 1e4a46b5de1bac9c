package io.pgpilot.backup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The base backups in a bucket, read the way barman-cloud reads them: every directory under
 * {@code base/} with a readable backup.info, its PGDATA tarball found by name. Works for backups
 * written by pgpilot and by barman-cloud-backup.
 */
final class StoredBackups {

    /** One backup in the bucket. */
    record Stored(BackupInfo info, BarmanLayout.StoredData data, long storedBytes) {
    }

    private StoredBackups() {
    }

    /** Every backup with a readable backup.info, oldest first; unreadable ones are skipped (as barman does). */
    static List<Stored> list(ObjectStore store, BackupPlan plan) {
        BarmanLayout layout = plan.layout();
        Map<String, List<ObjectStore.ListedObject>> byId = new TreeMap<>();
        for (ObjectStore.ListedObject o : store.listDetailed(plan.bucket(), layout.baseListPrefix())) {
            layout.backupIdOf(o.key()).ifPresent(id -> byId.computeIfAbsent(id, k -> new ArrayList<>()).add(o));
        }
        List<Stored> result = new ArrayList<>();
        byId.forEach((id, objects) -> read(store, plan, id, objects).ifPresent(result::add));
        result.sort(Comparator.comparing(s -> s.info().backupId()));
        return result;
    }

    static Optional<Stored> find(ObjectStore store, BackupPlan plan, String backupId) {
        BarmanLayout layout = plan.layout();
        List<ObjectStore.ListedObject> objects = store.listDetailed(plan.bucket(), layout.baseDirectory(backupId));
        return read(store, plan, backupId, objects);
    }

    private static Optional<Stored> read(ObjectStore store, BackupPlan plan, String id, List<ObjectStore.ListedObject> objects) {
        BarmanLayout layout = plan.layout();
        Optional<byte[]> info = objects.stream().anyMatch(o -> o.key().equals(layout.backupInfoKey(id)))
                ? store.get(plan.bucket(), layout.backupInfoKey(id)) : Optional.empty();
        if (info.isEmpty()) {
            return Optional.empty();
        }
        BackupInfo parsed;
        try {
            parsed = BackupInfo.parse(id, info.get());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        BarmanLayout.StoredData data = null;
        long size = 0;
        for (ObjectStore.ListedObject o : objects) {
            Optional<BarmanLayout.StoredData> variant = layout.dataVariant(id, o.key());
            if (variant.isPresent()) {
                data = variant.get();
                size = o.size();
                break;
            }
        }
        return Optional.of(new Stored(parsed, data, size));
    }
}
