package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code backup} (with a progress bar until it is done), {@code backups}, {@code restore}. */
final class BackupCommands {

    static final String HEALTHY = "Cluster in healthy state";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);

    private BackupCommands() {
    }

    /** {@code 30m}, {@code 90s}, {@code 2h}. */
    static Duration duration(String text) {
        if (text == null || !text.matches("[0-9]{1,6}[smh]")) {
            throw new Exit.CliException(Exit.USAGE, "--timeout: '" + Connection.printable(text) + "' is not like 90s, 30m or 2h");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Polls until {@code done} says so or the deadline passes (then exit code 7). */
    static void pollUntil(Duration timeout, String what, java.util.function.BooleanSupplier done) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new Exit.CliException(Exit.TIMEOUT, what + " not done after " + timeout.toSeconds() + " s (it goes on; look again with status)");
            }
            try {
                Thread.sleep(500); // the poll interval of the gateway, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Exit.CliException(Exit.TIMEOUT, "interrupted");
            }
        }
    }

    @Command(name = "backup", description = "Take a base backup now and show its progress until it is done.")
    static final class Backup extends Base {
        @Parameters(paramLabel = "CLUSTER")
        String cluster;
        @Option(names = "--no-wait", description = "print the backup id and return at once")
        boolean noWait;
        @Option(names = "--timeout", defaultValue = "2h", description = "how long to wait (default ${DEFAULT-VALUE})")
        String timeout;

        @Override
        public Integer call() {
            requireCluster(cluster);
            Duration limit = duration(timeout);
            Map<String, Object> started = Json.object(api().call("POST", Route.START_BACKUP.path(cluster), null, null));
            String id = Json.str(started, "backupId");
            out().println("backup " + id + " of " + cluster + " started from " + started.get("source") + " (" + started.get("sourceRole") + ")");
            out().flush();
            if (noWait) {
                return Exit.OK;
            }
            ProgressBar bar = progress();
            Map<String, Object>[] last = new Map[1];
            pollUntil(limit, "backup " + id, () -> {
                Map<String, Object> b = Json.object(api().get(Route.GET_BACKUP.path(cluster, id)));
                last[0] = b;
                long bytes = StatusView.number(b.get("bytes"));
                long estimated = StatusView.number(b.get("estimatedBytes"));
                boolean running = "running".equals(b.get("status"));
                long percent = !running ? 100 : estimated > 0 ? Math.min(99, bytes * 100 / estimated) : -1;
                bar.show(percent, (running ? String.valueOf(b.getOrDefault("phase", "running")) : String.valueOf(b.get("status")))
                        + " " + StatusView.bytes(bytes));
                return !running;
            });
            bar.done();
            Map<String, Object> b = last[0];
            if (!"completed".equals(b.get("status"))) {
                throw new Exit.CliException(Exit.FAILED, "backup " + id + " " + b.get("status") + ": " + b.get("error"));
            }
            out().println("backup " + id + " completed: " + StatusView.bytes(StatusView.number(b.get("bytes"))) + " ("
                    + StatusView.bytes(StatusView.number(b.get("storedBytes"))) + " stored), WAL " + b.get("beginWal") + ".." + b.get("endWal")
                    + "; name " + cluster + "-" + DAY.format(Instant.parse(String.valueOf(b.get("startedAt")))));
            return Exit.OK;
        }
    }

    @Command(name = "backups", description = "The cluster's base backups: running, completed, failed.")
    static final class Backups extends Base {
        @Parameters(paramLabel = "CLUSTER")
        String cluster;
        @Option(names = {"-o", "--output"}, paramLabel = "json|yaml")
        String output;

        @Override
        public Integer call() {
            requireCluster(cluster);
            return list(api(), cluster, output, out());
        }

        static int list(Api api, String cluster, String output, PrintWriter out) {
            List<Map<String, Object>> backups = Json.list(api.get(Route.LIST_BACKUPS.path(cluster)));
            if (output != null) {
                out.print(Json.format(backups, output));
                return Exit.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "NAME", "STATUS", "STARTED", "COMPLETED", "SIZE", "STORED", "SOURCE"});
            for (Map<String, Object> b : backups) {
                Object startedAt = b.get("startedAt");
                rows.add(new String[] {Json.str(b, "backupId"), startedAt == null ? "-" : cluster + "-" + DAY.format(Instant.parse(String.valueOf(startedAt))),
                        Json.str(b, "status"), String.valueOf(startedAt), String.valueOf(b.getOrDefault("completedAt", "-")),
                        StatusView.bytes(StatusView.number(b.get("bytes"))), StatusView.bytes(StatusView.number(b.get("storedBytes"))),
                        String.valueOf(b.getOrDefault("source", b.getOrDefault("writtenBy", "-")))});
            }
            StringBuilder text = new StringBuilder();
            StatusView.table(text, rows);
            out.print(text);
            return Exit.OK;
        }
    }

    @Command(name = "restore", description = {"Point-in-time recovery into a NEW cluster (the source is never touched), "
            + "then a progress bar until it is healthy.",
            "A --target-time without a zone (\"2024-02-01 14:30:00\", CloudNativePG's form) is UTC unless --timezone says otherwise."})
    static final class Restore extends Base {
        @Parameters(paramLabel = "CLUSTER", description = "the source cluster whose backups and WAL archive are used")
        String cluster;
        @Option(names = "--backup", paramLabel = "ID|NAME", description = "a backup id (20240201T020000), a day's name (CLUSTER-2024-02-01) or a Backup object's name (CLUSTER-daily-20240201020000); default: the latest before the target")
        String backup;
        @Option(names = "--target-time", paramLabel = "TIME", description = "recover up to this time (\"2024-02-01 14:30:00\"; default: the end of the archive)")
        String targetTime;
        @Option(names = "--timezone", paramLabel = "ZONE", description = "the zone of a --target-time without one (default UTC), e.g. Europe/Paris")
        String timezone;
        @Option(names = "--to", paramLabel = "NEW", description = "the new cluster's name (default: CLUSTER-pitr-YYYYMMDD-HHMMSS of the target, UTC; CLUSTER shortened to fit the socket path limit)")
        String to;
        @Option(names = "--no-wait", description = "return once the new cluster is accepted")
        boolean noWait;
        @Option(names = "--timeout", defaultValue = "2h", description = "how long to wait for it to be healthy (default ${DEFAULT-VALUE})")
        String timeout;

        @Override
        public Integer call() {
            requireCluster(cluster);
            Duration limit = duration(timeout);
            if (timezone != null && targetTime == null) {
                throw new Exit.CliException(Exit.USAGE, "--timezone: only with --target-time");
            }
            Instant target = targetTime == null ? null : Times.target(targetTime, timezone);
            String backupId = null;
            if (backup != null) {
                List<Map<String, Object>> backups = Json.list(api().get(Route.LIST_BACKUPS.path(cluster)));
                if (!Restores.idOrDay(backup) && backup.matches("[a-z][-a-z0-9]{0,62}")) {
                    // a CloudNativePG Backup object's name (e.g. the day's scheduled backup)
                    backupId = Restores.backupIdOfObject(cluster, backup, Json.object(api().get(Route.GET_BACKUP_OBJECT.path(backup))));
                } else {
                    backupId = Restores.backupId(cluster, backup, backups);
                }
                Restores.requireBefore(backupId, target, backups);
            }
            int maxName = Restores.maxClusterName(api().settings().home());
            String name = to != null ? to : Restores.newClusterName(cluster, target, backupId, maxName);
            requireCluster(name);
            Restores.requireFits(name, maxName);
            if (name.equals(cluster)) {
                throw new Exit.CliException(Exit.USAGE, "--to: a restore never overwrites its source; name a new cluster");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("cluster", name);
            if (target != null) {
                request.put("targetTime", target.toString());
            }
            if (backupId != null) {
                request.put("backupID", backupId);
            }
            api().call("POST", Route.RESTORE.path(cluster), "application/json", Json.write(request));
            out().println("restoring " + cluster + (backupId == null ? "" : " backup " + backupId)
                    + (target == null ? " to the end of its archive" : " to " + target) + " into the new cluster " + name);
            out().flush();
            if (noWait) {
                return Exit.OK;
            }
            ProgressBar bar = progress();
            Map<String, Object>[] last = new Map[1];
            pollUntil(limit, "restore into " + name, () -> {
                Map<String, Object> s = Json.object(api().get(Route.GET_CLUSTER.path(name)));
                last[0] = s;
                Map<String, Object> p = Json.map(s.get("progress"));
                boolean healthy = HEALTHY.equals(s.get("phase")) && s.get("endpoints") != null;
                long percent = healthy ? 100 : p.isEmpty() ? -1 : Math.min(99, StatusView.number(p.get("percent")));
                bar.show(percent, p.isEmpty() ? String.valueOf(s.get("phase")) : Json.str(p, "message"));
                return healthy || isFailed(s);
            });
            bar.done();
            Map<String, Object> s = last[0];
            if (isFailed(s)) {
                Map<String, Object> event = Json.map(s.get("lastEvent"));
                throw new Exit.CliException(Exit.FAILED, "restore into " + name + " failed: " + s.get("phase")
                        + (event.get("message") == null ? "" : ": " + event.get("message")));
            }
            out().println("cluster " + name + " is healthy; endpoints " + s.get("endpoints"));
            return Exit.OK;
        }

        static boolean isFailed(Map<String, Object> status) {
            return String.valueOf(status.get("phase")).startsWith("Failed");
        }
    }
}
