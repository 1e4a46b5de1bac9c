package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.launcher.Waits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) as a child process with its own
 * configuration and TSDB in a directory; queried through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {

    /** One series of an instant-query result. */
    record Series(Map<String, String> labels, double value) {
    }

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts Prometheus with {@code config} (prometheus.yml text) and waits until it is ready. */
    static PrometheusServer start(Path dir, String config) throws IOException {
        String binary = System.getenv().getOrDefault("PGPILOT_PROMETHEUS", "/usr/bin/prometheus");
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " not found: install the Debian package prometheus (scripts/install-deps.sh)");
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = FreePorts.next();
        Process process = new ProcessBuilder(binary, "--config.file=" + file, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port);
        try {
            Waits.until("Prometheus ready on port " + port, Duration.ofSeconds(30), server::ready);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue());
        }
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Evaluates an instant PromQL query; the result as series (vector results). */
    @SuppressWarnings("unchecked")
    List<Series> query(String promql) {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<String, Object> body = Json.MAPPER.readValue(response.body(), Map.class);
        if (!"success".equals(body.get("status"))) {
            throw new IllegalStateException("query " + promql + " failed: " + response.body());
        }
        Map<String, Object> data = (Map<String, Object>) body.get("data");
        return ((List<Map<String, Object>>) data.get("result")).stream().map(r -> new Series(
                (Map<String, String>) r.get("metric"), Double.parseDouble(String.valueOf(((List<Object>) r.get("value")).get(1)))))
                .toList();
    }

    /** Scrape targets and their health ("up", "down", "unknown"), keyed by job/instance. */
    @SuppressWarnings("unchecked")
    Map<String, String> targets() {
        Map<String, Object> body = Json.MAPPER.readValue(get("/api/v1/targets").body(), Map.class);
        var active = (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("activeTargets");
        var result = new java.util.TreeMap<String, String>();
        for (var t : active) {
            var labels = (Map<String, String>) t.get("labels");
            result.put(labels.get("job") + "/" + labels.get("instance"), String.valueOf(t.get("health")));
        }
        return result;
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
