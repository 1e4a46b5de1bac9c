package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code report [CLUSTER...]}: a support bundle (zip, mode 600) with every cluster's status
 * (as {@code status -o json}), backups, archiving, poolers, the events, and each instance's
 * PostgreSQL configuration files when the platform home is readable, every secret removed
 * ({@link Redaction}).
 */
@Command(name = "report", description = "Write a support bundle (zip): status, events, backups, poolers and configuration, secrets removed.")
final class ReportCommand extends Base {

    private static final List<String> CONFIG_FILES = List.of("postgresql.conf", "postgresql.auto.conf", "pgpilot.conf", "custom.conf",
            "pg_hba.conf", "pg_ident.conf");

    @Parameters(arity = "0..*", paramLabel = "CLUSTER", description = "default: every cluster")
    List<String> clusters = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE", description = "default pgpilot-report-<UTC time>.zip in the current folder")
    Path output;

    @Option(names = "--idle", defaultValue = "2", paramLabel = "SECONDS", description = "events: stop reading after this long without one")
    int idleSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        clusters.forEach(Base::requireCluster);
        Api api = api();
        List<Map<String, Object>> all = Json.list(api.get(Route.LIST_CLUSTERS.path()));
        List<String> names = clusters.isEmpty() ? all.stream().map(c -> Json.str(c, "name")).toList() : clusters;
        Path file = output != null ? output : Path.of("pgpilot-report-" + Times.compact(Instant.now()) + ".zip");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        int configs = 0;
        try (OutputStream raw = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(raw)) {
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("createdAt", Instant.now().toString());
            about.put("server", api.settings().server());
            about.put("clusters", names);
            about.put("note", "secrets removed: passwords, tokens, keys and credentials are " + Redaction.MARK);
            put(zip, "report.json", Json.write(about));
            put(zip, "clusters.json", Json.write(Redaction.tree(all)));
            put(zip, "poolers.json", Json.write(Redaction.tree(Json.list(api.get(Route.LIST_POOLERS.path())))));
            for (String name : names) {
                StatusView.Facts facts = ClusterCommands.Status.gather(api, name);
                put(zip, name + "/status.txt", Redaction.text(StatusView.render(facts)));
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("cluster", facts.cluster());
                status.put("archiving", facts.archiving() != null ? facts.archiving() : facts.archivingNote());
                status.put("backups", facts.backups() != null ? facts.backups() : facts.backupsNote());
                put(zip, name + "/status.json", Json.write(Redaction.tree(status)));
                StringBuilder events = new StringBuilder();
                for (Map<String, Object> event : EventsCommand.history(api, EventsCommand.query(name, null, true), idleSeconds)) {
                    events.append(EventsCommand.line(event)).append('\n');
                }
                put(zip, name + "/events.txt", events.toString());
                configs += configuration(zip, api.settings().home(), name);
            }
        }
        out().println("report written to " + file.toAbsolutePath() + " (" + names.size() + " clusters, " + configs
                + " configuration files; secrets removed)");
        return Exit.OK;
    }

    /** Each instance's configuration files under {@code <home>/clusters/<cluster>/<instance>/pgdata}, redacted. */
    private static int configuration(ZipOutputStream zip, Path home, String cluster) throws IOException {
        Path dir = home.resolve("clusters").resolve(cluster);
        if (!Files.isDirectory(dir)) {
            put(zip, cluster + "/config/README.txt", "no readable instance directories under " + dir + " (run report on the platform's host)\n");
            return 0;
        }
        int count = 0;
        List<Path> instances;
        try (Stream<Path> list = Files.list(dir)) {
            instances = list.filter(Files::isDirectory).sorted().toList();
        }
        for (Path instance : instances) {
            for (String name : CONFIG_FILES) {
                Path conf = instance.resolve("pgdata").resolve(name);
                if (Files.isRegularFile(conf) && Files.isReadable(conf)) {
                    put(zip, cluster + "/config/" + instance.getFileName() + "/" + name,
                            Redaction.text(Files.readString(conf, StandardCharsets.UTF_8)));
                    count++;
                }
            }
        }
        return count;
    }

    private static void put(ZipOutputStream zip, String name, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
