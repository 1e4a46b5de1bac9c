package io.pgpilot.model;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A 6-field cron expression as CloudNativePG's ScheduledBackup takes it (seconds first):
 * {@code second minute hour day-of-month month day-of-week}, each a {@code *}, a value, a range
 * {@code a-b}, a step {@code * /n} or {@code a-b/n} or {@code a/n}, or a comma list of them; months
 * and days may be named ({@code JAN}, {@code MON}), {@code ?} equals {@code *}, day of week 0 or 7
 * is Sunday. Descriptors {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}.
 * When both day fields are restricted a day matches either (as cron); otherwise both must match.
 * Times are UTC. Pure.
 */
public final class CronSchedule {

    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 0 1 1 *", "@annually", "0 0 0 1 1 *", "@monthly", "0 0 0 1 * *",
            "@weekly", "0 0 0 * * 0", "@daily", "0 0 0 * * *", "@midnight", "0 0 0 * * *", "@hourly", "0 0 * * * *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /** Search horizon: a valid expression that never fires within it (e.g. 30 February) is refused. */
    private static final int HORIZON_YEARS = 8;

    private final String expression;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domStar;
    private final boolean dowStar;

    private CronSchedule(String expression, String[] f) {
        this.expression = expression;
        seconds = field(f[0], 0, 59, null, "second");
        minutes = field(f[1], 0, 59, null, "minute");
        hours = field(f[2], 0, 23, null, "hour");
        daysOfMonth = field(f[3], 1, 31, null, "day of month");
        months = field(f[4], 1, 12, MONTHS, "month");
        BitSet dow = field(f[5], 0, 7, DAYS, "day of week");
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        daysOfWeek = dow;
        domStar = f[3].equals("*") || f[3].equals("?");
        dowStar = f[5].equals("*") || f[5].equals("?");
    }

    public static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank() || expression.length() > 200) {
            throw new IllegalArgumentException("a schedule must be a 6-field cron expression (second minute hour day month weekday)");
        }
        String text = expression.strip();
        String expanded = DESCRIPTORS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        String[] fields = expanded.split("\\s+");
        if (fields.length != 6) {
            throw new IllegalArgumentException("'" + Names.printable(expression) + "' has " + fields.length
                    + " fields; a schedule has 6 (second minute hour day month weekday), e.g. '0 0 0 * * *' for daily at midnight");
        }
        CronSchedule schedule = new CronSchedule(text, fields);
        if (schedule.next(Instant.parse("2000-01-01T00:00:00Z")) == null && schedule.next(Instant.now()) == null) {
            throw new IllegalArgumentException("'" + Names.printable(expression) + "' never fires");
        }
        return schedule;
    }

    public String expression() {
        return expression;
    }

    /** The first fire time strictly after {@code after} (UTC, whole seconds); null when none within the horizon. */
    public Instant next(Instant after) {
        ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        ZonedDateTime limit = t.plusYears(HORIZON_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t.toInstant();
            }
        }
        return null;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        return domStar || dowStar ? dom && dow : dom || dow;
    }

    private static BitSet field(String text, int min, int max, String[] names, String what) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw invalid(text, what, "has an empty list element");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max - min + 1, null, 0, what, text);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw invalid(text, what, "has a malformed range");
                }
                from = number(ends[0], min, max, names, min, what, text);
                to = number(ends[1], min, max, names, min, what, text);
                if (from > to) {
                    throw invalid(text, what, "has a range that ends before it starts");
                }
            } else {
                from = number(range, min, max, names, min, what, text);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String text, int min, int max, String[] names, int nameBase, String what, String field) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(text)) {
                    return nameBase + i;
                }
            }
        }
        if (text.isEmpty() || text.length() > 2 || !text.chars().allMatch(Character::isDigit)) {
            throw invalid(field, what, "'" + Names.printable(text) + "' is not a number");
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw invalid(field, what, value + " is outside " + min + "-" + max);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String field, String what, String why) {
        return new IllegalArgumentException("the " + what + " field '" + Names.printable(field) + "' " + why);
    }

    @Override
    public String toString() {
        return expression;
    }
}
