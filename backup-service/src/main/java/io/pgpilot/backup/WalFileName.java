package io.pgpilot.backup;

import io.pgpilot.model.Names;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated name of a file PostgreSQL archives (as {@code %f}): a 24-hex segment, a
 * {@code .partial} segment (the last one of an old timeline after a promotion), a
 * {@code .backup} label ({@code <segment>.<8 hex offset>.backup}) or a {@code .history} file
 * ({@code <8 hex timeline>.history}). Upper-case hex only, as PostgreSQL writes them; anything
 * else, in particular anything with a path separator or a dot segment, is refused.
 */
public record WalFileName(String name, Kind kind) {

    public enum Kind { SEGMENT, PARTIAL, BACKUP_LABEL, HISTORY }

    private static final Pattern PATTERN = Pattern.compile(
            "(?<tli>[0-9A-F]{8})(?:(?<log>[0-9A-F]{8})(?<seg>[0-9A-F]{8})(?<suffix>\\.partial|\\.[0-9A-F]{8}\\.backup)?|(?<history>\\.history))");

    public static WalFileName parse(String name) {
        if (name == null || name.length() > 64) {
            throw invalid(name, "is not a WAL file name");
        }
        Matcher m = PATTERN.matcher(name);
        if (!m.matches()) {
            throw invalid(name, "is not a WAL file name (24 upper-case hex digits, optionally .partial or .XXXXXXXX.backup, "
                    + "or XXXXXXXX.history)");
        }
        if (Long.parseLong(m.group("tli"), 16) == 0) {
            throw invalid(name, "has timeline 0");
        }
        Kind kind;
        if (m.group("history") != null) {
            kind = Kind.HISTORY;
        } else if (m.group("suffix") == null) {
            kind = Kind.SEGMENT;
        } else {
            kind = m.group("suffix").equals(".partial") ? Kind.PARTIAL : Kind.BACKUP_LABEL;
        }
        return new WalFileName(name, kind);
    }

    public static boolean isValid(String name) {
        try {
            parse(name);
            return true;
        } catch (InvalidNameException e) {
            return false;
        }
    }

    private static InvalidNameException invalid(String name, String why) {
        return new InvalidNameException(InvalidNameException.Reason.WAL_NAME, "'" + Names.printable(name) + "' " + why);
    }

    public int timeline() {
        return Integer.parseUnsignedInt(name.substring(0, 8), 16);
    }

    /**
     * barman-cloud's directory under {@code wals/}: timeline and log id (the first 16 hex digits)
     * for segments, partial segments and backup labels; none for history files.
     */
    public String hashDir() {
        return kind == Kind.HISTORY ? "" : name.substring(0, 16);
    }

    @Override
    public String toString() {
        return name;
    }
}
