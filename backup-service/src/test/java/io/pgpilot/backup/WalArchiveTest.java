package io.pgpilot.backup;

import io.pgpilot.backup.WalArchive.AlreadyArchived;
import io.pgpilot.backup.WalArchive.Conflict;
import io.pgpilot.backup.WalArchive.Stored;
import io.pgpilot.model.ClusterManifest.S3Credentials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalArchiveTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00.250Z");
    private final WalArchive archive = new WalArchive(Clock.fixed(NOW, ZoneOffset.UTC), null);
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final WalFileName wal = WalFileName.parse("000000010000000000000003");

    private static BackupPlan plan(String compression, String sse) {
        return new BackupPlan("pc", "bucket", "cnpg/pc", compression, Duration.ofDays(30), null,
                new S3Credentials(null, null, null, null, null), sse, null);
    }

    private static byte[] content(String marker) {
        return (marker + " ").repeat(2000).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void storesCompressedWithChecksumSseAndRetentionWhenTheBucketIsLocked() {
        store.objectLock = true;
        var outcome = archive.archive(store, plan("gzip", "AES256"), wal, content("a"), null);
        assertThat(outcome).isInstanceOfSatisfying(Stored.class, s -> {
            assertThat(s.key()).isEqualTo("cnpg/pc/wals/0000000100000000/000000010000000000000003.gz");
            assertThat(s.retainUntil()).isEqualTo(Instant.parse("2026-12-26T10:00:01Z"));
            assertThat(s.storedBytes()).isLessThan(s.bytes());
        });
        var put = store.puts.getFirst();
        assertThat(put.options().serverSideEncryption()).isEqualTo("AES256");
        assertThat(put.options().metadata()).containsEntry(WalArchive.META_SHA256, WalArchive.sha256(content("a")))
                .containsEntry(WalArchive.META_SIZE, "4000");
        assertThat(archive.restore(store, plan("gzip", "AES256"), wal, null)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content("a")));
    }

    @Test
    void noRetentionWithoutObjectLock() {
        assertThat(archive.archive(store, plan("gzip", null), wal, content("a"), null))
                .isInstanceOfSatisfying(Stored.class, s -> assertThat(s.retainUntil()).isNull());
    }

    @Test
    void sameContentAgainIsAcknowledgedWithoutAWriteAndDifferentContentIsAConflictNeverAnOverwrite() {
        archive.archive(store, plan("gzip", null), wal, content("a"), null);
        assertThat(archive.archive(store, plan("gzip", null), wal, content("a"), null)).isInstanceOf(AlreadyArchived.class);
        // the plan's compression changed since: the gzip object still counts
        assertThat(archive.archive(store, plan("zstd", null), wal, content("a"), null)).isInstanceOf(AlreadyArchived.class);
        assertThat(archive.archive(store, plan("gzip", null), wal, content("b"), null)).isInstanceOf(Conflict.class);
        assertThat(store.puts).hasSize(1);
        assertThat(archive.restore(store, plan("gzip", null), wal, null)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content("a")));
    }

    @Test
    void objectsWrittenByBarmanCloudWithoutMetadataAreComparedByContent() {
        store.objects.put("cnpg/pc/wals/0000000100000000/000000010000000000000003.gz", new InMemoryObjectStore.Put("k",
                Compression.GZIP.compress(content("a")), new ObjectStore.PutOptions(Map.of(), null, null, null)));
        assertThat(archive.archive(store, plan("zstd", null), wal, content("a"), null)).isInstanceOf(AlreadyArchived.class);
        assertThat(archive.archive(store, plan("zstd", null), wal, content("c"), null)).isInstanceOf(Conflict.class);
    }

    @Test
    void thePartialOfASegmentIsAnotherFile() {
        archive.archive(store, plan("gzip", null), WalFileName.parse("000000010000000000000003.partial"), content("p"), null);
        assertThat(archive.restore(store, plan("gzip", null), wal, null)).isEmpty();
        assertThat(archive.archive(store, plan("gzip", null), wal, content("a"), null)).isInstanceOf(Stored.class);
    }

    @Test
    void clientSideEncryptedObjectsHoldNoPlaintextAndComeBackDecrypted() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 9);
        ClientEncryption crypto = new ClientEncryption(key);
        var outcome = archive.archive(store, plan("gzip", null), wal, content("SECRET-MARKER"), crypto);
        assertThat(outcome.key()).endsWith(".gz.pgpenc");
        byte[] body = store.objects.get(outcome.key()).body();
        assertThat(new String(body, StandardCharsets.ISO_8859_1)).doesNotContain("SECRET-MARKER");
        assertThat(store.puts.getFirst().options().metadata()).containsKey(WalArchive.META_MAC).doesNotContainKey(WalArchive.META_SHA256);
        assertThat(archive.archive(store, plan("gzip", null), wal, content("SECRET-MARKER"), crypto)).isInstanceOf(AlreadyArchived.class);
        assertThat(archive.restore(store, plan("gzip", null), wal, crypto)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content("SECRET-MARKER")));
        assertThatThrownBy(() -> archive.restore(store, plan("gzip", null), wal, null)).isInstanceOf(WalArchive.UnreadableException.class);
    }

    @Test
    void anUnreachableStoreFailsTheCall() {
        store.down = true;
        assertThatThrownBy(() -> archive.archive(store, plan("gzip", null), wal, content("a"), null))
                .isInstanceOf(ObjectStore.StoreException.class);
    }
}
