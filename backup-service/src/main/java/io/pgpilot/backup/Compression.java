package io.pgpilot.backup;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * WAL compression as barman-cloud names it: the manifest's {@code wal.compression} and the object
 * name suffix barman-cloud-wal-restore recognises ({@code .gz .bz2 .xz .snappy .zst .lz4}). gzip
 * (java.util.zip), zstd (zstd-jni, a standard zstd frame) and lz4 (lz4-java, the LZ4 frame format
 * python's lz4.frame reads) are implemented; bzip2, xz and snappy are named so that objects written
 * by barman-cloud are recognised, but pgpilot neither writes nor reads them.
 */
public enum Compression {
    NONE(null, ""),
    GZIP("gzip", ".gz"),
    BZIP2("bzip2", ".bz2"),
    XZ("xz", ".xz"),
    SNAPPY("snappy", ".snappy"),
    ZSTD("zstd", ".zst"),
    LZ4("lz4", ".lz4");

    /** Bound on what one decompressed object may grow to (a WAL segment is 16 MiB by default, at most 1 GiB). */
    public static final long MAX_DECOMPRESSED = 1L << 30;

    private final String manifestName;
    private final String suffix;

    Compression(String manifestName, String suffix) {
        this.manifestName = manifestName;
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    public String manifestName() {
        return manifestName == null ? "none" : manifestName;
    }

    /** From the manifest's {@code wal.compression} (null or "none": no compression). */
    public static Compression fromManifest(String name) {
        if (name == null || name.equals("none")) {
            return NONE;
        }
        return Arrays.stream(values()).filter(c -> name.equals(c.manifestName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown compression " + io.pgpilot.model.Names.printable(name)));
    }

    /** The compression whose suffix ends {@code name} ({@link #NONE} when none does). */
    public static Compression fromSuffixOf(String name) {
        return Arrays.stream(values()).filter(c -> c != NONE && name.endsWith(c.suffix)).findFirst().orElse(NONE);
    }

    public static Optional<Compression> bySuffix(String suffix) {
        return Arrays.stream(values()).filter(c -> c.suffix.equals(suffix)).findFirst();
    }

    public boolean supported() {
        return this == NONE || this == GZIP || this == ZSTD || this == LZ4;
    }

    public byte[] compress(byte[] data) {
        requireSupported();
        if (this == NONE) {
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, data.length / 4));
        try (OutputStream stream = switch (this) {
            case GZIP -> new GZIPOutputStream(out, 64 * 1024);
            case ZSTD -> new ZstdOutputStream(out, 3);
            case LZ4 -> new LZ4FrameOutputStream(out);
            default -> throw new IllegalStateException();
        }) {
            stream.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Decompresses, refusing output beyond {@link #MAX_DECOMPRESSED} (a corrupt or hostile object). */
    public byte[] decompress(byte[] data) {
        requireSupported();
        if (this == NONE) {
            return data;
        }
        try (InputStream in = switch (this) {
            case GZIP -> new GZIPInputStream(new ByteArrayInputStream(data), 64 * 1024);
            case ZSTD -> new ZstdInputStream(new ByteArrayInputStream(data));
            case LZ4 -> new LZ4FrameInputStream(new ByteArrayInputStream(data));
            default -> throw new IllegalStateException();
        }) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, data.length * 4));
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > MAX_DECOMPRESSED) {
                    throw new IOException("decompressed size exceeds " + MAX_DECOMPRESSED + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot " + manifestName() + "-decompress", e);
        }
    }

    /**
     * Compresses a stream as it is written (base backups: nothing is staged). gzip uses the fastest
     * level: a base backup is bound by CPU on small machines and data pages compress well anyway.
     */
    public OutputStream compressing(OutputStream out) throws IOException {
        requireSupported();
        return switch (this) {
            case NONE -> out;
            case GZIP -> new GZIPOutputStream(out, 256 * 1024) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_SPEED);
                }
            };
            case ZSTD -> new ZstdOutputStream(out, 1);
            case LZ4 -> new LZ4FrameOutputStream(out);
            default -> throw new IllegalStateException();
        };
    }

    /** Decompresses a stream as it is read. */
    public InputStream decompressing(InputStream in) throws IOException {
        requireSupported();
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 256 * 1024);
            case ZSTD -> new ZstdInputStream(in);
            case LZ4 -> new LZ4FrameInputStream(in);
            default -> throw new IllegalStateException();
        };
    }

    private void requireSupported() {
        if (!supported()) {
            throw new UnsupportedOperationException("WAL compression " + manifestName() + " is not supported by pgpilot "
                    + "(use gzip, zstd or lz4)");
        }
    }
}
