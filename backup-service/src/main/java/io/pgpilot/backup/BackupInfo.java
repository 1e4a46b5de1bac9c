package io.pgpilot.backup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A base backup's {@code backup.info} in barman's format (facts from barman's {@code infofile}):
 * one {@code name=value} line per field, sorted by name, {@code None} for an absent value, times
 * as Python prints an aware datetime ({@code 2026-11-25 10:15:30.123456+00:00}), LSNs as
 * PostgreSQL prints them, WAL names of 24 hex digits. barman-cloud-backup-list shows backups
 * whose status is {@code DONE}; barman-cloud-restore needs {@code version} (for pg_wal) and
 * {@code tablespaces}. pgpilot writes no field barman does not know. Pure.
 */
public record BackupInfo(String backupId, String status, int version, String pgdata, int timeline,
                         Instant beginTime, String beginXlog, String beginWal, long beginOffset,
                         Instant endTime, String endXlog, String endWal, long endOffset,
                         long size, String systemid, long xlogSegmentSize, String compression, String error,
                         String serverName) {

    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";
    public static final String STARTED = "STARTED";

    private static final DateTimeFormatter PYTHON = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    /** The file's bytes (UTF-8). */
    public byte[] render() {
        Map<String, String> fields = new TreeMap<>();
        fields.put("backup_label", null);
        fields.put("begin_offset", String.valueOf(beginOffset));
        fields.put("begin_time", time(beginTime));
        fields.put("begin_wal", beginWal);
        fields.put("begin_xlog", beginXlog);
        fields.put("compression", compression);
        fields.put("config_file", pgdata == null ? null : pgdata + "/postgresql.conf");
        fields.put("copy_stats", null);
        fields.put("deduplicated_size", null);
        fields.put("end_offset", endWal == null ? null : String.valueOf(endOffset));
        fields.put("end_time", time(endTime));
        fields.put("end_wal", endWal);
        fields.put("end_xlog", endXlog);
        fields.put("error", error == null ? null : error.replace('\n', ' ').replace('\r', ' '));
        fields.put("hba_file", pgdata == null ? null : pgdata + "/pg_hba.conf");
        fields.put("ident_file", pgdata == null ? null : pgdata + "/pg_ident.conf");
        fields.put("included_files", null);
        fields.put("mode", "concurrent");
        fields.put("pgdata", pgdata);
        fields.put("server_name", serverName);
        fields.put("size", size > 0 ? String.valueOf(size) : null);
        fields.put("status", status);
        fields.put("systemid", systemid);
        fields.put("tablespaces", null);
        fields.put("timeline", timeline > 0 ? String.valueOf(timeline) : null);
        fields.put("version", version > 0 ? String.valueOf(version) : null);
        fields.put("xlog_segment_size", String.valueOf(xlogSegmentSize));
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> out.append(k).append('=').append(v == null ? "None" : v).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a backup.info written by pgpilot or barman; unknown fields are ignored. */
    public static BackupInfo parse(String backupId, byte[] content) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("backup.info of " + backupId + ": invalid line");
            }
            String value = trimmed.substring(eq + 1).strip();
            f.put(trimmed.substring(0, eq).strip(), value.equals("None") ? null : value);
        }
        try {
            return new BackupInfo(backupId, f.getOrDefault("status", "EMPTY"), integer(f.get("version")), f.get("pgdata"),
                    integer(f.get("timeline")), instant(f.get("begin_time")), f.get("begin_xlog"), f.get("begin_wal"),
                    longer(f.get("begin_offset")), instant(f.get("end_time")), f.get("end_xlog"), f.get("end_wal"),
                    longer(f.get("end_offset")), longer(f.get("size")), f.get("systemid"),
                    f.get("xlog_segment_size") == null ? 16L * 1024 * 1024 : longer(f.get("xlog_segment_size")),
                    f.get("compression"), f.get("error"), f.get("server_name"));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("backup.info of " + backupId + ": " + e.getMessage());
        }
    }

    public boolean done() {
        return DONE.equals(status);
    }

    static String time(Instant t) {
        return t == null ? null : PYTHON.format(t.atOffset(ZoneOffset.UTC));
    }

    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        var parsed = READ.parseBest(text.strip(), OffsetDateTime::from, LocalDateTime::from);
        // a naive time (barman: local time) is taken as UTC, the zone pgpilot's hosts run in
        return parsed instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    }

    private static int integer(String v) {
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static long longer(String v) {
        return v == null ? 0 : Long.parseLong(v);
    }
}
