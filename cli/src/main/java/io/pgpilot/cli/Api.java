package io.pgpilot.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The gateway's REST API as the CLI uses it: every request with {@code Authorization: Bearer},
 * answers outside 2xx turned into a {@link Exit.CliException} carrying the gateway's own error
 * message ({@code {"error": ...}}) and the exit code for the status.
 */
final class Api {

    /** One answer. */
    record Response(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final Connection.Settings settings;
    private final HttpClient http;

    Api(Connection.Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    Connection.Settings settings() {
        return settings;
    }

    /** GET, 2xx expected; else the gateway's error. */
    String get(String path) {
        return require(send("GET", path, null, null), "GET " + path);
    }

    /** Any method; 2xx expected; else the gateway's error. */
    String call(String method, String path, String contentType, String body) {
        return require(send(method, path, contentType, body), method + " " + path);
    }

    Response send(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = request(path).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exit.CliException(Exit.UNAVAILABLE, "interrupted");
        }
    }

    /** A Server-Sent Events stream, line by line, until {@code lines} returns false or the stream ends. */
    void stream(String path, java.util.function.Predicate<String> lines) {
        HttpRequest request = request(path).header("Accept", "text/event-stream").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    require(new Response(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8)), "GET " + path);
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = reader.readLine()) != null; ) {
                    if (!lines.test(line)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exit.CliException(Exit.UNAVAILABLE, "interrupted");
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(settings.server() + path)).header("Authorization", "Bearer " + settings.token());
    }

    private Exit.CliException unreachable(IOException e) {
        String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? "not reachable"
                : e instanceof HttpTimeoutException ? "did not answer in time" : "failed: " + e.getClass().getSimpleName();
        return new Exit.CliException(Exit.UNAVAILABLE, "the gateway at " + settings.server() + " " + why
                + " (is the platform running? --server / PGPILOT_SERVER)");
    }

    static String require(Response response, String what) {
        if (response.ok()) {
            return response.body();
        }
        throw new Exit.CliException(Exit.forStatus(response.status()), what + ": " + response.status() + " " + errorMessage(response.body()));
    }

    /** The gateway's {@code error} (and violations); the raw body, shortened, when it is not the error shape. */
    static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(no message)";
        }
        try {
            Map<String, Object> error = Json.object(body);
            Object message = error.get("error");
            if (message != null) {
                return String.valueOf(message);
            }
        } catch (Exit.CliException e) {
            // not JSON: below
        }
        String text = body.strip().replaceAll("\\s+", " ");
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
