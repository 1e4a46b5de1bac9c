package io.pgpilot.backup;

import io.pgpilot.backup.BarmanLayout.StoredVariant;
import io.pgpilot.backup.ObjectStore.PutOptions;
import io.pgpilot.backup.ObjectStore.StoredObject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The archiving rules on top of an {@link ObjectStore}: a WAL file is written once, compressed per
 * the plan, optionally encrypted client-side, with server-side encryption and (when the bucket has
 * object lock) a COMPLIANCE retention until the end of the recovery window. It is never
 * overwritten: archiving the same content again (a retry, the same file from a new primary) is a
 * success; different content under the same name is a {@link Conflict}. Restores find the file in
 * any barman-cloud variant (any compression suffix) and hand back the original bytes.
 */
public final class WalArchive {

    public static final String META_SHA256 = "pgpilot-sha256";
    public static final String META_MAC = "pgpilot-hmac-sha256";
    public static final String META_SIZE = "pgpilot-size";

    /** What an archive call did; every outcome except {@link Conflict} may be acknowledged to PostgreSQL. */
    public sealed interface ArchiveOutcome permits Stored, AlreadyArchived, Conflict {
        String key();
    }

    public record Stored(String key, long bytes, long storedBytes, Instant retainUntil) implements ArchiveOutcome {
    }

    public record AlreadyArchived(String key) implements ArchiveOutcome {
    }

    public record Conflict(String key, String reason) implements ArchiveOutcome {
    }

    /** A stored object that cannot be turned back into the WAL file (unsupported compression, no key, corrupt). */
    public static final class UnreadableException extends RuntimeException {
        public UnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record LockState(boolean enabled, Instant until) {
    }

    private final Clock clock;
    private final String kmsKeyId;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, LockState> objectLock = new ConcurrentHashMap<>();

    public WalArchive(Clock clock, String kmsKeyId) {
        this.clock = clock;
        this.kmsKeyId = kmsKeyId == null || kmsKeyId.isBlank() ? null : kmsKeyId;
    }

    /**
     * Archives one WAL file; returns only after the store confirmed the write (or found the same
     * content there). {@code encryption} is null without client-side encryption.
     */
    public ArchiveOutcome archive(ObjectStore store, BackupPlan plan, WalFileName wal, byte[] content, ClientEncryption encryption) {
        BarmanLayout layout = plan.layout();
        Compression compression = plan.compression();
        String key = layout.walKey(wal, compression, encryption != null);
        ReentrantLock lock = locks.computeIfAbsent(plan.bucket() + "/" + key, k -> new ReentrantLock());
        lock.lock();
        try {
            String checksum = encryption == null ? sha256(content) : encryption.mac(content);
            List<StoredVariant> existing = variants(store, plan, wal);
            if (!existing.isEmpty()) {
                return compare(store, plan, wal, existing.getFirst(), content, checksum, encryption);
            }
            byte[] body = compression.compress(content);
            if (encryption != null) {
                body = encryption.encrypt(body, wal.name());
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(encryption == null ? META_SHA256 : META_MAC, checksum);
            metadata.put(META_SIZE, String.valueOf(content.length));
            Instant now = clock.instant();
            Instant retainUntil = lockEnabled(store, plan.bucket(), now) ? plan.retainUntil(now) : null;
            store.put(plan.bucket(), key, body, new PutOptions(metadata, plan.walEncryption(), kmsKeyId, retainUntil));
            return new Stored(key, content.length, body.length, retainUntil);
        } finally {
            lock.unlock();
        }
    }

    private ArchiveOutcome compare(ObjectStore store, BackupPlan plan, WalFileName wal, StoredVariant existing, byte[] content,
                                   String checksum, ClientEncryption encryption) {
        Optional<StoredObject> head = store.head(plan.bucket(), existing.key());
        if (head.isPresent()) {
            Map<String, String> meta = head.get().metadata();
            String stored = meta.get(encryption == null ? META_SHA256 : META_MAC);
            if (stored != null) {
                return stored.equals(checksum) ? new AlreadyArchived(existing.key())
                        : new Conflict(existing.key(), "a different " + wal.name() + " is already archived (checksum differs)");
            }
        }
        // written by another tool (barman-cloud) or with another encryption setting: compare the content itself
        byte[] original;
        try {
            original = read(store, plan, wal, existing, encryption).orElse(null);
        } catch (UnreadableException e) {
            return new Conflict(existing.key(), "an archived " + wal.name() + " exists and cannot be compared: " + e.getMessage());
        }
        if (original == null) {
            return new Conflict(existing.key(), wal.name() + " vanished while being compared");
        }
        return Arrays.equals(original, content) ? new AlreadyArchived(existing.key())
                : new Conflict(existing.key(), "a different " + wal.name() + " is already archived (content differs)");
    }

    /** The original bytes of an archived WAL file; empty when it is not archived. */
    public Optional<byte[]> restore(ObjectStore store, BackupPlan plan, WalFileName wal, ClientEncryption encryption) {
        List<StoredVariant> variants = variants(store, plan, wal);
        for (StoredVariant variant : variants) {
            if (variant.compression().supported() && (!variant.encrypted() || encryption != null)) {
                return read(store, plan, wal, variant, encryption);
            }
        }
        if (!variants.isEmpty()) {
            StoredVariant v = variants.getFirst();
            throw new UnreadableException(v.key() + " is stored " + (v.encrypted() ? "encrypted without a configured key"
                    : "with " + v.compression().manifestName() + " compression, which pgpilot cannot read"), null);
        }
        return Optional.empty();
    }

    private Optional<byte[]> read(ObjectStore store, BackupPlan plan, WalFileName wal, StoredVariant variant, ClientEncryption encryption) {
        Optional<byte[]> body = store.get(plan.bucket(), variant.key());
        if (body.isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] bytes = body.get();
            if (variant.encrypted()) {
                if (encryption == null) {
                    throw new UnreadableException("encrypted and no client-side key is configured", null);
                }
                bytes = encryption.decrypt(bytes, wal.name());
            }
            return Optional.of(variant.compression().decompress(bytes));
        } catch (ClientEncryption.DecryptionException | UnsupportedOperationException | java.io.UncheckedIOException e) {
            throw new UnreadableException(variant.key() + ": " + e.getMessage(), e);
        }
    }

    /** Every stored object of this WAL file (other files under the same prefix, e.g. its .partial, excluded). */
    List<StoredVariant> variants(ObjectStore store, BackupPlan plan, WalFileName wal) {
        BarmanLayout layout = plan.layout();
        return store.list(plan.bucket(), layout.walListPrefix(wal)).stream()
                .map(k -> layout.variant(wal, k)).flatMap(Optional::stream).toList();
    }

    private boolean lockEnabled(ObjectStore store, String bucket, Instant now) {
        LockState state = objectLock.get(bucket);
        if (state == null || now.isAfter(state.until())) {
            state = new LockState(store.objectLockEnabled(bucket), now.plus(Duration.ofMinutes(1)));
            objectLock.put(bucket, state);
        }
        return state.enabled();
    }

    static String sha256(byte[] content) {
        return HexFormat.of().formatHex(ClientEncryption.sha256(content));
    }
}
