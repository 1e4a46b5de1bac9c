package io.pgpilot.backup;

import io.pgpilot.events.Lsn;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a tar stream as it passes (bytes in order, any chunking) and keeps what a base backup
 * needs to know about itself: the {@code backup_label} (start LSN and timeline) and the end of
 * the {@code backup_manifest} pg_basebackup injects into a tar written to stdout (its
 * {@code WAL-Ranges} give the end LSN). With {@code -X none} pg_basebackup prints neither point.
 * Nothing else is kept: memory stays bounded. Pure.
 */
final class TarScanner {

    private static final int BLOCK = 512;
    private static final int KEEP_LABEL = 64 * 1024;
    private static final int KEEP_MANIFEST_TAIL = 16 * 1024;
    private static final Pattern START = Pattern.compile("START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)");
    private static final Pattern START_TLI = Pattern.compile("START TIMELINE: ([0-9]+)");
    private static final Pattern RANGE = Pattern.compile(
            "\"Timeline\"\\s*:\\s*([0-9]+)\\s*,\\s*\"Start-LSN\"\\s*:\\s*\"([0-9A-F]+/[0-9A-F]+)\"\\s*,\\s*\"End-LSN\"\\s*:\\s*\"([0-9A-F]+/[0-9A-F]+)\"");

    private final byte[] header = new byte[BLOCK];
    private int headerFilled;
    private long remaining;
    private long padding;
    private String entry;
    private boolean ended;
    private final StringBuilder label = new StringBuilder();
    private byte[] manifestTail = new byte[0];
    private long entries;
    private volatile boolean pgControlSeen;

    /** Start and end of the backup as the server recorded them. */
    record Points(long startLsn, int timeline, long endLsn, int endTimeline, String label) {
    }

    void feed(byte[] b, int off, int len) {
        while (len > 0 && !ended) {
            if (remaining > 0) {
                int n = (int) Math.min(len, remaining);
                keep(b, off, n);
                remaining -= n;
                off += n;
                len -= n;
            } else if (padding > 0) {
                int n = (int) Math.min(len, padding);
                padding -= n;
                off += n;
                len -= n;
            } else {
                int n = Math.min(len, BLOCK - headerFilled);
                System.arraycopy(b, off, header, headerFilled, n);
                headerFilled += n;
                off += n;
                len -= n;
                if (headerFilled == BLOCK) {
                    headerFilled = 0;
                    parseHeader();
                }
            }
        }
    }

    private void parseHeader() {
        boolean zero = true;
        for (byte x : header) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            entry = null;
            return; // end-of-archive blocks (two of them)
        }
        String name = text(0, 100);
        String prefix = text(345, 155);
        if (!prefix.isEmpty() && header[257] == 'u') {
            name = prefix + "/" + name;
        }
        long size = octal(124, 12);
        entry = name.startsWith("./") ? name.substring(2) : name;
        if ("global/pg_control".equals(entry)) {
            pgControlSeen = true;
        }
        entries++;
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
    }

    private void keep(byte[] b, int off, int n) {
        if ("backup_label".equals(entry) && label.length() < KEEP_LABEL) {
            label.append(new String(b, off, Math.min(n, KEEP_LABEL - label.length()), StandardCharsets.UTF_8));
        } else if ("backup_manifest".equals(entry)) {
            int keep = Math.min(KEEP_MANIFEST_TAIL, manifestTail.length + n);
            byte[] next = new byte[keep];
            int fromOld = keep - Math.min(n, keep);
            System.arraycopy(manifestTail, manifestTail.length - fromOld, next, 0, fromOld);
            System.arraycopy(b, off + n - (keep - fromOld), next, fromOld, keep - fromOld);
            manifestTail = next;
        }
    }

    private String text(int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private long octal(int offset, int length) {
        if ((header[offset] & 0x80) != 0) { // GNU base-256 for huge files
            long v = header[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                v = (v << 8) | (header[offset + i] & 0xff);
            }
            return v;
        }
        String s = text(offset, length).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    long entries() {
        return entries;
    }

    /** The server sends global/pg_control last: after it, it stops the backup (and waits for the end WAL). */
    boolean pgControlSeen() {
        return pgControlSeen;
    }

    /** The points, or an explanation of what is missing. */
    Points points() {
        Matcher start = START.matcher(label);
        if (!start.find()) {
            throw new IllegalStateException("the backup has no backup_label with a START WAL LOCATION");
        }
        Matcher tli = START_TLI.matcher(label);
        int timeline = tli.find() ? Integer.parseInt(tli.group(1)) : 1;
        Matcher range = RANGE.matcher(new String(manifestTail, StandardCharsets.UTF_8));
        long end = 0;
        int endTimeline = timeline;
        while (range.find()) {
            endTimeline = Integer.parseInt(range.group(1));
            end = Math.max(end, Lsn.parse(range.group(3)));
        }
        if (end == 0) {
            throw new IllegalStateException("the backup has no backup_manifest with WAL-Ranges (pg_basebackup --no-manifest?)");
        }
        return new Points(Lsn.parse(start.group(1)), timeline, end, endTimeline, label.toString());
    }
}
