package io.pgpilot.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The one way tests, benchmarks and the run command call the gateway: every request carries
 * {@code Authorization: Bearer <token>} read from the platform home's
 * {@code secrets/api-token-<role>} (admin unless told otherwise), which the gateway writes at its
 * first start. The token is read on first use and never printed.
 */
public final class GatewayClient {

    private final String baseUrl;
    private final Path tokenFile;
    private final HttpClient http;
    private volatile String token;

    public GatewayClient(String baseUrl, Path home, String role) {
        this.baseUrl = baseUrl;
        this.tokenFile = home.resolve("secrets").resolve("api-token-" + role);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** With the admin token. */
    public static GatewayClient admin(String baseUrl, Path home) {
        return new GatewayClient(baseUrl, home, "admin");
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A request to {@code path} (with query) with the Authorization header set; add method and body. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + token());
    }

    /** {@code body} non-null is sent as {@code application/yaml} (manifests). */
    public HttpResponse<String> send(String method, String path, String body) {
        return send(method, path, body == null ? null : "application/yaml", body);
    }

    public HttpResponse<String> send(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = request(path).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String token() {
        String t = token;
        if (t == null) {
            try {
                t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the gateway's API token " + tokenFile
                        + " (written by the gateway at its first start)", e);
            }
            token = t;
        }
        return t;
    }
}
