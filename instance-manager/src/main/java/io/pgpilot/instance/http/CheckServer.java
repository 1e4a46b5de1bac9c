package io.pgpilot.instance.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /primary}, {@code /replica}, {@code /health} for one instance (JDK HTTP server, no
 * framework): the status per {@link Checks}, the latest heartbeat as the body (no secrets in it).
 * Anything else: 404; a method other than GET or HEAD: 405.
 */
public final class CheckServer implements AutoCloseable {

    private final HttpServer server;

    private CheckServer(HttpServer server) {
        this.server = server;
    }

    public static CheckServer start(String address, int port, Supplier<Heartbeat> latest, Duration maxAge) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
            server.createContext("/", exchange -> answer(exchange, latest.get(), maxAge));
            server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().name("checks").daemon().factory()));
            server.start();
            return new CheckServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve checks on " + address + ":" + port, e);
        }
    }

    private static void answer(HttpExchange exchange, Heartbeat heartbeat, Duration maxAge) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            var check = Checks.Check.ofPath(exchange.getRequestURI().getPath());
            if (check.isEmpty()) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            int status = Checks.status(check.get(), heartbeat, Instant.now(), maxAge);
            byte[] body = (heartbeat == null ? "{}" : Json.write(heartbeat)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
