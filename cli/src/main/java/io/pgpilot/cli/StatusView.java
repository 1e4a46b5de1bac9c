package io.pgpilot.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code pgpilot status CLUSTER} as text, laid out like {@code kubectl cnpg status}: the summary,
 * continuous backup (WAL archiving, base backups), the instances with their lag and sync state, the
 * poolers. Pure: from the gateway's answers (maps) to a string.
 */
public final class StatusView {

    /** What {@code status} gathers; {@code backups}/{@code archiving} null with a note when not available. */
    public record Facts(Map<String, Object> cluster, List<Map<String, Object>> backups, String backupsNote,
                        Map<String, Object> archiving, String archivingNote, List<Map<String, Object>> poolers) {
    }

    private StatusView() {
    }

    public static String render(Facts facts) {
        Map<String, Object> c = facts.cluster();
        StringBuilder out = new StringBuilder();
        out.append("Cluster Summary\n");
        row(out, "Name", Json.str(c, "name"));
        row(out, "Phase", Json.str(c, "phase"));
        row(out, "Instances", c.get("instances") + " (" + c.get("readyInstances") + " ready)");
        row(out, "Primary instance", orNone(Json.str(c, "currentPrimary")));
        row(out, "Timeline", orNone(Json.str(c, "timeline")));
        row(out, "Topology epoch", Json.str(c, "topologyEpoch"));
        if (c.get("synchronousStandbyNames") != null) {
            row(out, "Synchronous standbys", c.get("synchronousStandbyNames") + " (" + c.get("synchronousStandbys") + " in sync)");
        }
        Map<String, Object> endpoints = Json.map(c.get("endpoints"));
        row(out, "Endpoints", endpoints.isEmpty() ? "(none yet)" : String.join("  ", new TreeMap<>(endpoints).entrySet().stream()
                .sorted((a, b) -> endpointOrder(a.getKey()) - endpointOrder(b.getKey()))
                .map(e -> e.getKey() + " " + e.getValue()).toList()));
        Map<String, Object> progress = Json.map(c.get("progress"));
        if (!progress.isEmpty()) {
            row(out, "Progress", ProgressBar.render(number(progress.get("percent")), 20, Json.str(progress, "message")));
        }
        if (c.get("pendingRestart") != null) {
            row(out, "Pending restart", String.valueOf(c.get("pendingRestart")));
        }
        Map<String, Object> last = Json.map(c.get("lastEvent"));
        if (!last.isEmpty()) {
            row(out, "Last event", String.valueOf(last.get("type")).replaceFirst("^io\\.pgpilot\\.", "") + (last.get("instance") == null ? "" : " " + last.get("instance"))
                    + (last.get("message") == null ? "" : ": " + last.get("message")) + " (" + last.get("time") + ")");
        }

        out.append("\nContinuous Backup status\n");
        if (facts.archiving() != null) {
            Map<String, Object> a = facts.archiving();
            boolean failing = Boolean.TRUE.equals(a.get("failing"));
            row(out, "WAL archiving", (failing ? "FAILING: " + a.get("lastFailure") : "OK") + "; archived " + a.get("archived")
                    + ", failed " + a.get("failed"));
            row(out, "Last archived WAL", orNone(Json.str(a, "lastArchivedWal")) + (a.get("lastArchivedAt") == null ? "" : " at " + a.get("lastArchivedAt")));
        } else {
            row(out, "WAL archiving", facts.archivingNote());
        }
        if (facts.backups() != null) {
            List<Map<String, Object>> done = facts.backups().stream().filter(b -> "completed".equals(b.get("status"))).toList();
            row(out, "Base backups", done.size() + " completed" + (facts.backups().size() > done.size()
                    ? ", " + (facts.backups().size() - done.size()) + " running or failed" : ""));
            if (!done.isEmpty()) {
                Map<String, Object> first = done.getFirst();
                Map<String, Object> lastDone = done.getLast();
                row(out, "First point of recoverability", String.valueOf(first.get("completedAt")));
                row(out, "Last base backup", lastDone.get("backupId") + " completed " + lastDone.get("completedAt") + ", "
                        + bytes(number(lastDone.get("bytes"))) + " (" + bytes(number(lastDone.get("storedBytes"))) + " stored)");
            }
            facts.backups().stream().filter(b -> "running".equals(b.get("status"))).forEach(b ->
                    row(out, "Running backup", b.get("backupId") + " " + orNone(Json.str(b, "phase")) + ", " + bytes(number(b.get("bytes")))));
        } else {
            row(out, "Base backups", facts.backupsNote());
        }

        out.append("\nInstances\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Name", "Role", "Status", "Timeline", "Current LSN", "Replay LSN", "Lag", "Sync state", "WAL receiver"});
        for (Object o : c.get("instanceStatus") instanceof List<?> l ? l : List.of()) {
            Map<String, Object> i = Json.map(o);
            boolean replica = "replica".equals(i.get("role"));
            rows.add(new String[] {Json.str(i, "name"), orDash(i.get("role")), orDash(i.get("status")), orDash(i.get("timeline")),
                    orDash(i.get("currentLsn")), replica ? orDash(i.get("replayLsn")) : "-",
                    replica ? lag(i.get("lagBytes"), i.get("lagSeconds")) : "-", replica ? orDash(i.get("syncState")) : "-",
                    replica ? orDash(i.get("walReceiver")) : "-"});
        }
        table(out, rows);

        out.append("\nPoolers\n");
        if (facts.poolers().isEmpty()) {
            out.append("(none)\n");
        } else {
            List<String[]> prow = new ArrayList<>();
            prow.add(new String[] {"Name", "Type", "Instances", "Pool mode", "Phase", "Endpoint"});
            for (Map<String, Object> p : facts.poolers()) {
                prow.add(new String[] {Json.str(p, "name"), orDash(p.get("type")), orDash(p.get("instances")), orDash(p.get("poolMode")),
                        orDash(p.get("phase")), orDash(p.get("endpoint"))});
            }
            table(out, prow);
        }
        return out.toString();
    }

    static String lag(Object lagBytes, Object lagSeconds) {
        if (lagBytes == null && lagSeconds == null) {
            return "-";
        }
        String b = lagBytes == null ? "?" : bytes(number(lagBytes));
        return lagSeconds == null ? b : b + " / " + String.format(Locale.ROOT, "%.1fs", ((Number) lagSeconds).doubleValue());
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static void table(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + (widths[i] + 2) + "s", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format("%-30s %s%n", label + ":", value));
    }

    private static int endpointOrder(String name) {
        return name.endsWith("-rw") ? 0 : name.endsWith("-ro") ? 1 : 2;
    }

    static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    private static String orNone(String value) {
        return value == null ? "(none)" : value;
    }

    private static String orDash(Object value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
