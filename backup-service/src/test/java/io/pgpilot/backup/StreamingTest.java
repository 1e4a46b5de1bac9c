package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming pieces of a base backup: multipart parts, stream compression, chunked encryption. */
class StreamingTest {

    static byte[] data(int size) {
        byte[] data = new byte[size];
        new Random(42).nextBytes(data);
        // half compressible
        Arrays.fill(data, size / 2, size, (byte) 'x');
        return data;
    }

    @Test
    void multipartUploadsPartsOfTheConfiguredSizeAndCompletesOnClose() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        byte[] data = data(12 * 1024 * 1024 + 123);
        try (MultipartOutputStream out = new MultipartOutputStream(store.startMultipart("b", "k", new ObjectStore.PutOptions(
                java.util.Map.of(), null, null, null)), MultipartOutputStream.MIN_PART)) {
            for (int i = 0; i < data.length; i += 7000) {
                out.write(data, i, Math.min(7000, data.length - i));
            }
            assertThat(store.objects).as("nothing visible before completion").isEmpty();
            out.flush();
            assertThat(out.parts()).isEqualTo(2);
        }
        assertThat(store.objects.get("k").body()).isEqualTo(data);
    }

    @Test
    void aFailingPartAbortsTheUpload() {
        InMemoryObjectStore store = new InMemoryObjectStore();
        MultipartOutputStream out = new MultipartOutputStream(store.startMultipart("b", "k", new ObjectStore.PutOptions(
                java.util.Map.of(), null, null, null)), MultipartOutputStream.MIN_PART);
        store.down = true;
        assertThatThrownBy(() -> {
            out.write(new byte[MultipartOutputStream.MIN_PART * 3]);
            out.close();
        }).isInstanceOf(ObjectStore.StoreException.class);
        assertThat(store.objects).isEmpty();
        assertThat(store.aborted).isEqualTo(1);
    }

    @Test
    void partSizeDoublesEveryThousandPartsSoTenThousandPartsHoldTerabytes() {
        int base = 16 << 20;
        assertThat(MultipartOutputStream.partSize(base, 0)).isEqualTo(base);
        assertThat(MultipartOutputStream.partSize(base, 999)).isEqualTo(base);
        assertThat(MultipartOutputStream.partSize(base, 1000)).isEqualTo(2 * base);
        long total = 0;
        for (int p = 0; p < 10_000; p++) {
            total += MultipartOutputStream.partSize(base, p);
        }
        assertThat(total).isGreaterThan(4L << 40);
    }

    @Test
    void streamCompressionRoundTripsForEverySupportedCodec() throws Exception {
        byte[] data = data(3 * 1024 * 1024);
        for (Compression c : new Compression[] {Compression.NONE, Compression.GZIP, Compression.ZSTD, Compression.LZ4}) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (OutputStream out = c.compressing(sink)) {
                out.write(data);
            }
            if (c != Compression.NONE) {
                assertThat(sink.size()).as(c.name()).isLessThan(data.length * 3 / 4);
            }
            // the whole-object decompressor reads what the stream wrote (gzip: what barman/gunzip read)
            assertThat(c.decompress(sink.toByteArray())).as(c.name()).isEqualTo(data);
            try (InputStream in = c.decompressing(new ByteArrayInputStream(sink.toByteArray()))) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void chunkedEncryptionRoundTripsAndRefusesTamperingTruncationAndOtherNames() throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 3);
        ClientEncryption enc = new ClientEncryption(key);
        byte[] data = data(ClientEncryption.CHUNK * 2 + 17);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = enc.encrypting(sink, "20261125T101530/data.tar")) {
            out.write(data);
        }
        byte[] sealed = sink.toByteArray();
        assertThat(new String(sealed, 0, 4)).isEqualTo("PGPS");
        try (InputStream in = enc.decrypting(new ByteArrayInputStream(sealed), "20261125T101530/data.tar")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> enc.decrypting(new ByteArrayInputStream(flipped), "20261125T101530/data.tar").readAllBytes())
                .isInstanceOf(ClientEncryption.DecryptionException.class).hasMessageContaining("authenticate");
        // cut after the first chunk: no final chunk
        byte[] truncated = Arrays.copyOf(sealed, 21 + 4 + ClientEncryption.CHUNK + 16);
        assertThatThrownBy(() -> enc.decrypting(new ByteArrayInputStream(truncated), "20261125T101530/data.tar").readAllBytes())
                .isInstanceOf(ClientEncryption.DecryptionException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> enc.decrypting(new ByteArrayInputStream(sealed), "20261125T101531/data.tar").readAllBytes())
                .isInstanceOf(ClientEncryption.DecryptionException.class);
        byte[] other = new byte[32];
        assertThatThrownBy(() -> new ClientEncryption(other).decrypting(new ByteArrayInputStream(sealed), "20261125T101530/data.tar")
                .readAllBytes()).hasMessageContaining("another key");
    }
}
