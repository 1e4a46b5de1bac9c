package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code status}, {@code get}, {@code apply}, {@code delete}. */
final class ClusterCommands {

    private ClusterCommands() {
    }

    @Command(name = "status", description = "The cluster like `kubectl cnpg status`: primary, replicas with lag and sync state, "
            + "timeline, endpoints, WAL archiving, base backups, poolers.")
    static final class Status extends Base {
        @Parameters(paramLabel = "CLUSTER")
        String cluster;

        @Option(names = {"-o", "--output"}, paramLabel = "json|yaml", description = "print everything as JSON or YAML")
        String output;

        @Override
        public Integer call() {
            requireCluster(cluster);
            StatusView.Facts facts = gather(api(), cluster);
            if (output != null) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("cluster", facts.cluster());
                all.put("archiving", facts.archiving() != null ? facts.archiving() : Map.of("note", facts.archivingNote()));
                all.put("backups", facts.backups() != null ? facts.backups() : Map.of("note", facts.backupsNote()));
                all.put("poolers", facts.poolers());
                out().print(Json.format(all, output));
            } else {
                out().print(StatusView.render(facts));
            }
            return Exit.OK;
        }

        static StatusView.Facts gather(Api api, String cluster) {
            Map<String, Object> status = Json.object(api.get(Route.GET_CLUSTER.path(cluster)));
            Api.Response backups = api.send("GET", Route.LIST_BACKUPS.path(cluster), null, null);
            Api.Response archiving = api.send("GET", Route.ARCHIVING.path(cluster), null, null);
            List<Map<String, Object>> poolers = Json.list(api.get(Route.LIST_POOLERS.path())).stream()
                    .filter(p -> cluster.equals(p.get("cluster"))).toList();
            return new StatusView.Facts(status, backups.ok() ? Json.list(backups.body()) : null, note(backups),
                    archiving.ok() ? Json.object(archiving.body()) : null, note(archiving), poolers);
        }

        private static String note(Api.Response response) {
            if (response.ok()) {
                return null;
            }
            String message = Api.errorMessage(response.body());
            return response.status() == 409 && message.contains("no spec.backup") ? "not configured (no spec.backup)"
                    : response.status() == 404 ? message : "unknown: " + response.status() + " " + message;
        }
    }

    @Command(name = "get", description = "List clusters, poolers or a cluster's backups: get [clusters|poolers|backups CLUSTER].")
    static final class Get extends Base {
        @Parameters(index = "0", arity = "0..1", paramLabel = "clusters|poolers|backups", defaultValue = "clusters")
        String kind;

        @Parameters(index = "1", arity = "0..1", paramLabel = "CLUSTER", description = "for backups: whose")
        String cluster;

        @Option(names = {"-o", "--output"}, paramLabel = "json|yaml")
        String output;

        @Override
        public Integer call() {
            switch (kind) {
                case "clusters", "cluster" -> {
                    List<Map<String, Object>> clusters = Json.list(api().get(Route.LIST_CLUSTERS.path()));
                    if (output != null) {
                        out().print(Json.format(clusters, output));
                        return Exit.OK;
                    }
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"NAME", "INSTANCES", "READY", "PRIMARY", "PHASE"});
                    clusters.forEach(c -> rows.add(new String[] {Json.str(c, "name"), Json.str(c, "instances"), Json.str(c, "readyInstances"),
                            String.valueOf(c.getOrDefault("currentPrimary", "-")), Json.str(c, "phase")}));
                    print(rows);
                }
                case "poolers", "pooler" -> {
                    List<Map<String, Object>> poolers = Json.list(api().get(Route.LIST_POOLERS.path()));
                    if (output != null) {
                        out().print(Json.format(poolers, output));
                        return Exit.OK;
                    }
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"NAME", "CLUSTER", "TYPE", "INSTANCES", "PHASE", "ENDPOINT"});
                    poolers.forEach(p -> rows.add(new String[] {Json.str(p, "name"), Json.str(p, "cluster"), Json.str(p, "type"),
                            Json.str(p, "instances"), Json.str(p, "phase"), String.valueOf(p.getOrDefault("endpoint", "-"))}));
                    print(rows);
                }
                case "backups", "backup" -> {
                    if (cluster == null) {
                        throw new Exit.CliException(Exit.USAGE, "get backups: which cluster? (get backups CLUSTER)");
                    }
                    return BackupCommands.Backups.list(api(), cluster, output, out());
                }
                default -> throw new Exit.CliException(Exit.USAGE, "get: '" + Connection.printable(kind) + "' is not clusters, poolers or backups");
            }
            return Exit.OK;
        }

        private void print(List<String[]> rows) {
            StringBuilder text = new StringBuilder();
            StatusView.table(text, rows);
            out().print(text);
        }
    }

    @Command(name = "apply", description = "Create or update every Cluster, Pooler, ScheduledBackup and Backup manifest in the files or folders given "
            + "(all are checked before any is sent).")
    static final class Apply extends Base {
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR", description = "a manifest file or a folder of them (*.yaml, *.yml, *.json)")
        List<java.nio.file.Path> files;

        @Override
        public Integer call() {
            List<Manifests.Document> documents = Manifests.read(files);
            for (Manifests.Document d : documents) {
                String what = d.source() + ": " + d.kind().label + "/" + d.name();
                Api.Response created = api().send("POST", d.kind().create.path(), "application/yaml", d.text());
                String verb;
                if (created.status() == 409 && d.kind().update == null && String.valueOf(created.body()).contains("already exists")) {
                    verb = "unchanged";
                } else if (created.status() == 409) {
                    Api.require(api().send("PUT", d.kind().update.path(d.name()), "application/yaml", d.text()), what);
                    verb = "configured";
                } else {
                    Api.require(created, what);
                    verb = "created";
                }
                out().println(d.kind().label + "/" + d.name() + " " + verb);
            }
            return Exit.OK;
        }
    }

    @Command(name = "delete", description = "Delete a cluster (its instances are stopped and removed), a pooler or a scheduled backup: "
            + "delete [cluster|pooler|scheduledbackup] NAME.")
    static final class Delete extends Base {
        @Parameters(arity = "1..2", paramLabel = "[cluster|pooler|scheduledbackup] NAME")
        List<String> words;

        @Override
        public Integer call() {
            String kind = words.size() == 2 ? words.get(0) : "cluster";
            String name = words.getLast();
            requireCluster(name);
            switch (kind) {
                case "cluster", "clusters" -> api().call("DELETE", Route.DELETE_CLUSTER.path(name), null, null);
                case "pooler", "poolers" -> api().call("DELETE", Route.DELETE_POOLER.path(name), null, null);
                case "scheduledbackup", "scheduledbackups" -> api().call("DELETE", Route.DELETE_SCHEDULED_BACKUP.path(name), null, null);
                default -> throw new Exit.CliException(Exit.USAGE, "delete: '" + Connection.printable(kind)
                        + "' is not cluster, pooler or scheduledbackup");
            }
            String label = kind.startsWith("pooler") ? "pooler/" : kind.startsWith("scheduledbackup") ? "scheduledbackup/" : "cluster/";
            out().println(label + name + (label.equals("scheduledbackup/") ? " deleted" : " deleting"));
            return Exit.OK;
        }
    }
}
