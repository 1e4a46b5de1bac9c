package io.pgpilot.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {

    static byte[] walLike() {
        byte[] data = new byte[1 << 20];
        Random random = new Random(7);
        for (int i = 0; i < data.length; i += 8192) {
            byte[] page = ("page " + i + " of a WAL segment ").repeat(40).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(page, 0, data, i, Math.min(page.length, data.length - i));
            data[i + 4000] = (byte) random.nextInt();
        }
        return data;
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "GZIP", "ZSTD", "LZ4"})
    void roundTripsAndShrinks(Compression compression) {
        byte[] data = walLike();
        byte[] packed = compression.compress(data);
        assertThat(compression.decompress(packed)).isEqualTo(data);
        if (compression != Compression.NONE) {
            assertThat(packed.length).isLessThan(data.length / 4);
        }
    }

    @Test
    void gzipIsPlainGzipAndZstdLz4UseTheirStandardFrames() throws Exception {
        byte[] data = walLike();
        try (var in = new GZIPInputStream(new ByteArrayInputStream(Compression.GZIP.compress(data)))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(Compression.ZSTD.compress(data)).startsWith(0x28, 0xB5, 0x2F, 0xFD);
        assertThat(Compression.LZ4.compress(data)).startsWith(0x04, 0x22, 0x4D, 0x18);
    }

    @Test
    void manifestNamesAndSuffixes() {
        assertThat(Compression.fromManifest("gzip").suffix()).isEqualTo(".gz");
        assertThat(Compression.fromManifest("zstd").suffix()).isEqualTo(".zst");
        assertThat(Compression.fromManifest("lz4").suffix()).isEqualTo(".lz4");
        assertThat(Compression.fromManifest(null)).isEqualTo(Compression.NONE);
        assertThat(Compression.fromManifest("bzip2").supported()).isFalse();
        assertThatThrownBy(() -> Compression.BZIP2.compress(new byte[1])).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("bzip2");
        assertThatThrownBy(() -> Compression.fromManifest("rar")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptInputFailsLoudly() {
        assertThatThrownBy(() -> Compression.GZIP.decompress("not gzip".getBytes())).isInstanceOf(java.io.UncheckedIOException.class);
    }
}
