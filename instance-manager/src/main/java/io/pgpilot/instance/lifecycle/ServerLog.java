package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.layout.InstanceLayout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads an instance's server logs for error messages; passwords never reach them. */
public final class ServerLog {

    private ServerLog() {
    }

    /** The last lines of the newest server log (FATAL reasons of a failed start). */
    public static String tail(InstanceLayout layout) {
        try (Stream<Path> files = Files.list(layout.logDirectory())) {
            Path newest = files.filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().lastModified())).orElse(null);
            Path file = newest == null || layout.startupLog().toFile().lastModified() > newest.toFile().lastModified()
                    ? layout.startupLog() : newest;
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "no server log";
        }
    }

    /** The FATAL/LOG lines that explain how a recovery ended (last server log lines). */
    public static String recovery(InstanceLayout layout) {
        try (Stream<Path> files = Files.list(layout.logDirectory())) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
            }
            if (Files.exists(layout.startupLog())) {
                lines.addAll(Files.readAllLines(layout.startupLog(), StandardCharsets.ISO_8859_1));
            }
            List<String> telling = lines.stream().filter(l -> l.contains("FATAL") || l.contains("recovery") || l.contains("restore"))
                    .map(l -> l.replaceAll("^\\S+ \\S+ \\S+ \\[[0-9]+\\] ", "")).toList();
            List<String> last = telling.subList(Math.max(0, telling.size() - 4), telling.size());
            return last.isEmpty() ? tail(layout) : String.join(" | ", last);
        } catch (IOException | RuntimeException e) {
            return "no server log";
        }
    }
}
