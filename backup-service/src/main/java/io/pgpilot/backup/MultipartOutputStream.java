package io.pgpilot.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An object written as a stream into an S3 multipart upload: bytes fill a part buffer; a full
 * part is handed to one uploader thread while the next one fills (at most two parts in memory).
 * Nothing is staged on disk. The part size doubles every 1000 parts so that S3's limit of 10,000
 * parts is never reached (16 MiB parts: the first 16 GiB in 1000 parts, ...). {@link #close}
 * completes the upload (the object appears only then); {@link #abort} drops it.
 */
public final class MultipartOutputStream extends OutputStream {

    public static final int MIN_PART = 5 * 1024 * 1024;
    private static final int MAX_PART = 1 << 30;

    private final ObjectStore.MultipartUpload upload;
    private final int basePartSize;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(2);
    private final ExecutorService uploader = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("part-upload").daemon().factory());
    private final AtomicLong uploadedBytes = new AtomicLong();
    private Future<?> inFlight;
    private byte[] buffer;
    private int filled;
    private int partNumber;
    private boolean closed;
    private boolean failed;
    private boolean aborted;

    public MultipartOutputStream(ObjectStore.MultipartUpload upload, int partSize) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("a part must be at least 5 MiB");
        }
        this.upload = upload;
        this.basePartSize = partSize;
        this.buffer = new byte[partSize];
    }

    /** Bytes confirmed by the store so far. */
    public long uploadedBytes() {
        return uploadedBytes.get();
    }

    public int parts() {
        return partNumber;
    }

    static int partSize(int base, int partNumber) {
        long size = (long) base << Math.min(10, partNumber / 1000);
        return (int) Math.min(MAX_PART, size);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            if (filled == buffer.length) {
                ship();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void ship() throws IOException {
        awaitInFlight();
        byte[] full = buffer;
        int length = filled;
        int number = ++partNumber;
        inFlight = uploader.submit(() -> {
            upload.uploadPart(number, full, length);
            uploadedBytes.addAndGet(length);
            free.offer(full);
        });
        int next = partSize(basePartSize, partNumber);
        byte[] recycled = free.poll();
        buffer = recycled != null && recycled.length == next ? recycled : new byte[next];
        filled = 0;
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            throw new IOException("interrupted while uploading", e);
        } catch (ExecutionException e) {
            failed = true;
            abort();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        } finally {
            inFlight = null;
        }
    }

    /** Uploads the last part and completes the upload: the object exists once this returns. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failed) {
                throw new IOException("an upload of a part failed");
            }
            if (filled > 0 || partNumber == 0) {
                ship();
            }
            awaitInFlight();
            upload.complete();
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            uploader.shutdownNow();
            buffer = null;
        }
    }

    /** Drops the upload (after a failure of the producer). */
    public synchronized void abort() {
        if (aborted) {
            return;
        }
        aborted = true;
        closed = true;
        Future<?> pending = inFlight;
        if (pending != null) {
            pending.cancel(true);
        }
        uploader.shutdownNow();
        upload.abort();
    }
}
