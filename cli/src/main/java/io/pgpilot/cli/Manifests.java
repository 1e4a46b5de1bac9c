package io.pgpilot.cli;

import io.pgpilot.model.BackupDefinitions;
import io.pgpilot.model.BackupManifest;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestParser;
import io.pgpilot.model.ScheduledBackupManifest;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.PoolerValidator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The manifests {@code apply -f} sends: files and the {@code *.yaml}/{@code *.yml}/{@code *.json}
 * files of folders (sorted, not recursive), split at {@code ---}, each validated here with the
 * platform's own validators so that nothing is sent unless every document is valid; Clusters
 * before Poolers.
 */
final class Manifests {

    enum Kind {
        // applied in this order: what a manifest refers to (its cluster) comes first
        CLUSTER("cluster", Route.CREATE_CLUSTER, Route.UPDATE_CLUSTER),
        POOLER("pooler", Route.CREATE_POOLER, Route.UPDATE_POOLER),
        SCHEDULED_BACKUP("scheduledbackup", Route.CREATE_SCHEDULED_BACKUP, Route.UPDATE_SCHEDULED_BACKUP),
        /** A Backup is a one-off request: applying an existing one changes nothing. */
        BACKUP("backup", Route.CREATE_BACKUP_OBJECT, null);

        final String label;
        final Route create;
        final Route update;

        Kind(String label, Route create, Route update) {
            this.label = label;
            this.create = create;
            this.update = update;
        }
    }

    record Document(Kind kind, String name, String text, String source) {
    }

    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$");
    private static final Pattern KIND = Pattern.compile("(?m)^kind:\\s*['\"]?([A-Za-z]+)['\"]?\\s*(#.*)?$");

    private Manifests() {
    }

    static List<Document> read(List<Path> paths) {
        List<Document> documents = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : files(path)) {
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new Exit.CliException(Exit.USAGE, "cannot read " + file + ": " + e.getClass().getSimpleName());
                }
                int n = 0;
                for (String part : SEPARATOR.split(text)) {
                    if (part.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                        continue;
                    }
                    n++;
                    documents.add(parse(part, file + (n > 1 ? " (document " + n + ")" : "")));
                }
            }
        }
        if (documents.isEmpty()) {
            throw new Exit.CliException(Exit.USAGE, "-f: no manifest found in " + paths);
        }
        documents.sort((a, b) -> a.kind().compareTo(b.kind()));
        return documents;
    }

    /** One document, validated as the gateway would (kind Cluster, Pooler, ScheduledBackup or Backup). */
    static Document parse(String text, String source) {
        String kind = kind(text);
        try {
            return switch (kind) {
                case "Cluster" -> new Document(Kind.CLUSTER, ManifestValidator.parseAndValidate(text).name(), text, source);
                case "Pooler" -> new Document(Kind.POOLER, PoolerValidator.parseAndValidate(text).name(), text, source);
                case "ScheduledBackup" -> new Document(Kind.SCHEDULED_BACKUP, BackupDefinitions.validate(
                        ManifestParser.parse(text, ScheduledBackupManifest.class)).name(), text, source);
                case "Backup" -> new Document(Kind.BACKUP, BackupDefinitions.validate(ManifestParser.parse(text, BackupManifest.class)).name(),
                        text, source);
                default -> throw new Exit.CliException(Exit.REFUSED, source + ": kind '" + Connection.printable(kind)
                        + "' is not supported (Cluster, Pooler, ScheduledBackup, Backup); nothing was applied");
            };
        } catch (ManifestException e) {
            throw new Exit.CliException(Exit.REFUSED, source + ": invalid manifest: " + e.getMessage() + "; nothing was applied");
        }
    }

    private static String kind(String text) {
        if (text.stripLeading().startsWith("{")) {
            Object kind = Json.object(text).get("kind");
            return kind == null ? "" : String.valueOf(kind);
        }
        Matcher m = KIND.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    private static List<Path> files(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new Exit.CliException(Exit.USAGE, "-f: " + path + " does not exist");
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.(ya?ml|json)"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new Exit.CliException(Exit.USAGE, "cannot list " + path + ": " + e.getClass().getSimpleName());
        }
    }
}
