package io.pgpilot.backup;

import io.pgpilot.events.Lsn;

import java.util.Locale;

/**
 * WAL file names from LSNs (PostgreSQL's XLogFileName arithmetic). Pure.
 */
public final class WalPosition {

    private WalPosition() {
    }

    /** The segment that contains {@code lsn} (XLByteToSeg). */
    public static String segmentOf(int timeline, long lsn, long segmentSize) {
        return name(timeline, Long.divideUnsigned(lsn, segmentSize), segmentSize);
    }

    /**
     * The segment pg_walfile_name() names for {@code lsn}: the one that holds the byte before it
     * (XLByteToPrevSeg), so an LSN exactly on a boundary names the segment it ends.
     */
    public static String segmentEnding(int timeline, long lsn, long segmentSize) {
        return name(timeline, Long.divideUnsigned(lsn - 1, segmentSize), segmentSize);
    }

    public static long offset(long lsn, long segmentSize) {
        return Long.remainderUnsigned(lsn, segmentSize);
    }

    static String name(int timeline, long segmentNumber, long segmentSize) {
        long perId = 0x100000000L / segmentSize;
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segmentNumber / perId, segmentNumber % perId);
    }

    /** The segment number (across log ids) of a 24-hex segment name. */
    public static long segmentNumber(String walName, long segmentSize) {
        long perId = 0x100000000L / segmentSize;
        return Long.parseLong(walName.substring(8, 16), 16) * perId + Long.parseLong(walName.substring(16, 24), 16);
    }

    public static long parseLsn(String text) {
        return Lsn.parse(text);
    }
}
