package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.GatewayClient;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** A minimal EventSource for the gateway's {@code /api/v1/events}: keeps the CloudEvents it receives. */
final class SseReader implements AutoCloseable {

    private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    private final List<String> ids = new CopyOnWriteArrayList<>();
    private volatile boolean subscribed;
    private final Stream<String> lines;

    private SseReader(Stream<String> lines) {
        this.lines = lines;
    }

    /** Connects and returns once the gateway confirmed the subscription: every later event reaches it. */
    @SuppressWarnings("unchecked")
    static SseReader start(GatewayClient gateway, String query, String lastEventId) {
        HttpRequest.Builder request = gateway.request("/api/v1/events" + query).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response;
        try {
            response = gateway.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (Exception e) {
            throw new IllegalStateException("cannot subscribe to " + query, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("subscription " + query + " answered " + response.statusCode() + ": "
                    + String.join("\n", response.body().toList()));
        }
        SseReader reader = new SseReader(response.body());
        Thread.ofVirtual().start(() -> {
            String id = null;
            try {
                for (String line : (Iterable<String>) reader.lines::iterator) {
                    if (line.startsWith(":subscribed")) {
                        reader.subscribed = true;
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3);
                    } else if (line.startsWith("data:")) {
                        reader.events.add(Json.MAPPER.readValue(line.substring(5), Map.class));
                        reader.ids.add(id);
                    }
                }
            } catch (RuntimeException e) {
                // closed
            }
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> reader.subscribed);
        return reader;
    }

    /** Connects, waits for {@code count} events and disconnects. */
    static SseReader read(GatewayClient gateway, String query, String lastEventId, int count, Duration timeout) {
        SseReader reader = start(gateway, query, lastEventId);
        try {
            await().atMost(timeout).until(() -> reader.events.size() >= count);
        } finally {
            reader.close();
        }
        return reader;
    }

    List<Map<String, Object>> events() {
        return List.copyOf(events);
    }

    List<String> ids() {
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        lines.close();
    }
}
