package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code logs CLUSTER [INSTANCE...] [--tail N] [-f]}: the PostgreSQL log of each instance (its
 * newest {@code log/postgresql-*.log} under the platform home, so on the platform's host), each
 * line prefixed with the instance and passed through {@link Redaction} (a statement that sets a
 * password is not shown with it).
 */
@Command(name = "logs", description = "The instances' PostgreSQL logs (on the platform's host), lines prefixed with the instance; -f follows.")
final class LogsCommand extends Base {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1..*", paramLabel = "INSTANCE", description = "default: every instance")
    List<String> instances = new ArrayList<>();

    @Option(names = "--tail", defaultValue = "50", paramLabel = "N", description = "lines of each log to show first (default ${DEFAULT-VALUE})")
    int tail;

    @Option(names = {"-f", "--follow"}, description = "print new lines until Ctrl-C")
    boolean follow;

    @Override
    public Integer call() throws IOException, InterruptedException {
        requireCluster(cluster);
        instances.forEach(Base::requireInstance);
        Map<String, Object> status = Json.object(api().get(Route.GET_CLUSTER.path(cluster)));
        List<String> names = new ArrayList<>();
        for (Object i : status.get("instanceStatus") instanceof List<?> l ? l : List.of()) {
            names.add(Json.str(Json.map(i), "name"));
        }
        for (String wanted : instances) {
            if (!names.contains(wanted)) {
                throw new Exit.CliException(Exit.NOT_FOUND, "no instance named '" + wanted + "' in " + cluster + " (" + String.join(", ", names) + ")");
            }
        }
        List<String> chosen = instances.isEmpty() ? names : instances;
        Path clusterDir = api().settings().home().resolve("clusters").resolve(cluster);
        Map<String, long[]> positions = new LinkedHashMap<>();
        Map<String, Path> files = new LinkedHashMap<>();
        for (String instance : chosen) {
            Optional<Path> log = newest(clusterDir.resolve(instance).resolve("log"));
            if (log.isEmpty()) {
                out().println("[" + instance + "] (no log under " + clusterDir.resolve(instance).resolve("log") + ")");
                continue;
            }
            List<String> lines = Files.readAllLines(log.get(), StandardCharsets.UTF_8);
            lines.subList(Math.max(0, lines.size() - tail), lines.size()).forEach(l -> out().println(line(instance, l)));
            files.put(instance, log.get());
            positions.put(instance, new long[] {Files.size(log.get())});
        }
        out().flush();
        while (follow) {
            for (String instance : chosen) {
                Optional<Path> log = newest(clusterDir.resolve(instance).resolve("log"));
                if (log.isEmpty()) {
                    continue;
                }
                if (!log.get().equals(files.get(instance))) {
                    files.put(instance, log.get());
                    positions.put(instance, new long[] {0});
                }
                long[] position = positions.get(instance);
                position[0] = printFrom(instance, log.get(), position[0]);
            }
            out().flush();
            Thread.sleep(500); // the poll interval of the log files
        }
        return Exit.OK;
    }

    private long printFrom(String instance, Path file, long from) throws IOException {
        long size = Files.size(file);
        if (size <= from) {
            return size < from ? 0 : from;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(from);
            byte[] bytes = new byte[(int) Math.min(size - from, 1 << 20)];
            raf.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return from;
            }
            text.substring(0, end).lines().forEach(l -> out().println(line(instance, l)));
            return from + text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /** {@code [pc-1] <the line, redacted>}. Pure. */
    static String line(String instance, String text) {
        return "[" + instance + "] " + Redaction.text(text);
    }

    static Optional<Path> newest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).max(Comparator.comparingLong(p -> p.toFile().lastModified()));
        }
    }
}
