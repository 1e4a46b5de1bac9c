package io.pgpilot.cli;

import io.pgpilot.model.TargetTime;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.regex.Pattern;

/**
 * Recovery target times as people type them. CloudNativePG's form {@code "2024-02-01 14:30:00"}
 * has no zone: pgpilot reads it as <b>UTC</b> unless {@code --timezone} names another zone
 * ({@code Europe/Paris}, {@code +01:00}). A time with an offset ({@code 2024-02-01T14:30:00Z},
 * {@code 2024-02-01 14:30:00+01}) is taken as written and {@code --timezone} is refused with it.
 * Pure.
 */
public final class Times {

    private static final Pattern LOCAL = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?");
    private static final DateTimeFormatter LOCAL_PARSER = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalEnd()
            .toFormatter().withResolverStyle(java.time.format.ResolverStyle.STRICT);

    private Times() {
    }

    /** The instant {@code text} names; {@code zone} null means UTC for a time without an offset. */
    public static Instant target(String text, String zone) {
        if (text == null || text.isBlank()) {
            throw new Exit.CliException(Exit.USAGE, "--target-time: empty");
        }
        String t = text.strip();
        if (LOCAL.matcher(t).matches()) {
            ZoneId id = zone(zone);
            try {
                return LocalDateTime.parse(t, LOCAL_PARSER).atZone(id).toInstant();
            } catch (DateTimeParseException e) {
                throw new Exit.CliException(Exit.USAGE, "--target-time: '" + Connection.printable(t) + "' is not a valid date and time");
            }
        }
        if (zone != null) {
            throw new Exit.CliException(Exit.USAGE, "--timezone: the target time '" + Connection.printable(t)
                    + "' has its own offset; give one or the other");
        }
        try {
            return TargetTime.parse(t);
        } catch (IllegalArgumentException e) {
            throw new Exit.CliException(Exit.USAGE, "--target-time: '" + Connection.printable(t)
                    + "' is not a time like \"2024-02-01 14:30:00\" (UTC unless --timezone), 2024-02-01T14:30:00Z or 2024-02-01 14:30:00+01");
        }
    }

    static ZoneId zone(String zone) {
        if (zone == null) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new Exit.CliException(Exit.USAGE, "--timezone: '" + Connection.printable(zone)
                    + "' is not a time zone (UTC, Europe/Paris, +01:00)");
        }
    }

    /** {@code 20240201-143000}: the UTC time in a cluster name. */
    static String compact(Instant time) {
        return DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC).format(time);
    }
}
