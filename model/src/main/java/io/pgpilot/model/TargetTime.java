package io.pgpilot.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.regex.Pattern;

/**
 * Recovery target times: RFC 3339 ({@code 2026-11-25T10:15:30.25Z}, {@code ...+01:00}) or
 * PostgreSQL's form ({@code 2026-11-25 10:15:30.250000+01}, offsets {@code +01}, {@code +0100},
 * {@code +01:00}). An offset is required: a time without one would depend on a server's time zone.
 * Pure.
 */
public final class TargetTime {

    private static final Pattern SHAPE = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)");
    private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "Z")
            .toFormatter();
    private static final DateTimeFormatter POSTGRES = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);

    private TargetTime() {
    }

    public static Instant parse(String text) {
        if (text == null || text.length() > 40 || !SHAPE.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + Names.printable(text)
                    + "' is not a time with an offset (RFC 3339 like 2026-11-25T10:15:30Z, or 2026-11-25 10:15:30+01)");
        }
        String normal = text.replace('z', 'Z');
        // +01 and +0100 -> +01:00
        var m = Pattern.compile("([+-][0-9]{2})(:?)([0-9]{2})?$").matcher(normal);
        if (m.find()) {
            normal = normal.substring(0, m.start()) + m.group(1) + ":" + (m.group(3) == null ? "00" : m.group(3));
        }
        try {
            return OffsetDateTime.parse(normal, PARSER).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + Names.printable(text) + "' is not a valid time: " + e.getMessage());
        }
    }

    /** PostgreSQL's literal for recovery_target_time, in UTC with microseconds. */
    public static String postgres(Instant time) {
        return POSTGRES.format(time);
    }
}
