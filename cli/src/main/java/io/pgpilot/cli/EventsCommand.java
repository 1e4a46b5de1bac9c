package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code events [CLUSTER] [-f] [--type T]}: the platform's events, one line each. Without
 * {@code -f} the history from the beginning, ending once no event came for {@code --idle}
 * seconds; with {@code -f} new events until Ctrl-C ({@code --from-beginning} to replay first).
 */
@Command(name = "events", description = "The platform's events (CloudEvents) as lines; -f follows new ones until Ctrl-C.")
final class EventsCommand extends Base {

    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-f", "--follow"}, description = "follow new events until Ctrl-C")
    boolean follow;

    @Option(names = "--from-beginning", description = "with -f: replay the history first")
    boolean fromBeginning;

    @Option(names = "--type", paramLabel = "TYPE", description = "one type or family, e.g. failover.* or backup.completed")
    String type;

    @Option(names = {"-o", "--output"}, paramLabel = "json", description = "each event as one line of JSON")
    String output;

    @Option(names = "--idle", defaultValue = "2", paramLabel = "SECONDS", description = "without -f: stop after this long without an event (default ${DEFAULT-VALUE})")
    int idleSeconds;

    private static final String END = "\u0000end";

    @Override
    public Integer call() throws InterruptedException {
        if (cluster != null) {
            requireCluster(cluster);
        }
        if (output != null && !output.equals("json")) {
            throw new Exit.CliException(Exit.USAGE, "-o: only json");
        }
        String path = query(cluster, type, !follow || fromBeginning);
        Api api = api();
        if (follow) {
            api.stream(path, line -> {
                handle(line);
                return true;
            });
            return Exit.OK;
        }
        for (Map<String, Object> event : history(api, path, idleSeconds)) {
            print(event);
        }
        return Exit.OK;
    }

    /**
     * The events a stream from {@code path} sends until none came for {@code idleSeconds} (the
     * stream itself never ends: the gateway keeps it open for new events).
     */
    static List<Map<String, Object>> history(Api api, String path, int idleSeconds) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        RuntimeException[] failure = new RuntimeException[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                api.stream(path, lines::offer);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
            lines.offer(END);
        });
        SseEvents parser = new SseEvents();
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line; (line = lines.poll(idleSeconds, TimeUnit.SECONDS)) != null && !line.equals(END); ) {
            parser.accept(line).ifPresent(events::add);
        }
        reader.interrupt();
        if (failure[0] != null) {
            throw failure[0];
        }
        return events;
    }

    private final SseEvents parser = new SseEvents();

    private void handle(String line) {
        parser.accept(line).ifPresent(this::print);
    }

    private void print(Map<String, Object> event) {
        out().println(output != null ? Json.JSON.writer().withoutFeatures(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(Redaction.tree(event)) : line(event));
        out().flush();
    }

    /** Server-Sent Events lines to events: {@code data:} lines collected, a blank line ends an event; comments ignored. */
    static final class SseEvents {
        private final StringBuilder data = new StringBuilder();

        java.util.Optional<Map<String, Object>> accept(String line) {
            if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            } else if (line.isEmpty() && !data.isEmpty()) {
                Map<String, Object> event = Json.object(data.toString());
                data.setLength(0);
                return java.util.Optional.of(event);
            }
            return java.util.Optional.empty();
        }
    }

    static String query(String cluster, String type, boolean fromBeginning) {
        List<String> q = new ArrayList<>();
        if (cluster != null) {
            q.add("cluster=" + URLEncoder.encode(cluster, StandardCharsets.UTF_8));
        }
        if (type != null) {
            q.add("type=" + URLEncoder.encode(type, StandardCharsets.UTF_8));
        }
        if (fromBeginning) {
            q.add("from=beginning");
        }
        return Route.EVENTS.path() + (q.isEmpty() ? "" : "?" + String.join("&", q));
    }

    /** {@code 2026-12-01T07:00:00Z  failover.completed  pc/pc-2  totalMs=812 ...}. Pure. */
    static String line(Map<String, Object> event) {
        String type = String.valueOf(event.get("type")).replaceFirst("^io\\.pgpilot\\.", "");
        String where = event.get("subject") == null ? "-" : event.get("subject") + (event.get("instance") == null ? "" : "/" + event.get("instance"));
        StringBuilder text = new StringBuilder();
        Json.map(Redaction.tree(event.get("data"))).forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
        return event.get("time") + "  " + type + "  " + where + " " + text;
    }
}
