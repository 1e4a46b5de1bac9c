package io.pgpilot.events;

/** PostgreSQL's pg_lsn text form ("16/B374D848") to and from the numeric form used on the wire. */
public final class Lsn {

    private Lsn() {
    }

    public static long parse(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN: " + text);
        }
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return (high << 32) | low;
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
