package io.pgpilot.instance.node.wire;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgpilot.events.Json;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node agent's HTTP endpoint (JDK HTTP server, no framework), bound to the node address:
 * {@code POST /v1/ops/<operation>} with the named arguments as a JSON object, answered
 * {@code 200 {"value": ...}} or a {@link WireError} (422 for a failed operation). Every request
 * needs {@code Authorization: Bearer <join token>} (compared in constant time; 401 otherwise,
 * before anything of the request is read). {@code restoreBaseBackup} takes the instance in the
 * query ({@code ?cluster=&ordinal=}) and the tar as the request body, streamed to tar, never
 * buffered. Credentials only ever arrive in request bodies; nothing of a body is logged.
 */
public final class NodeAgentServer implements AutoCloseable {

    /** The node record label that names the agent's HTTP port (the agent publishes it, the control plane connects to it). */
    public static final String AGENT_PORT_LABEL = "pgpilot.io/agent-port";

    public static final String PATH = "/v1/ops/";
    static final String RESTORE = "restoreBaseBackup";
    static final int MAX_JSON_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(NodeAgentServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final NodeOperations node;
    private final byte[] joinToken;

    private NodeAgentServer(HttpServer server, ExecutorService executor, NodeOperations node, String joinToken) {
        this.server = server;
        this.executor = executor;
        this.node = node;
        this.joinToken = joinToken.getBytes(StandardCharsets.UTF_8);
    }

    /** Serves {@code node} on {@code address:port} (0: any free port, see {@link #port()}). */
    public static NodeAgentServer start(NodeOperations node, String address, int port, String joinToken) {
        if (joinToken == null || joinToken.length() < 16) {
            throw new IllegalArgumentException("the join token must have at least 16 characters");
        }
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 64);
            ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("node-agent-", 0).factory());
            NodeAgentServer agent = new NodeAgentServer(http, executor, node, joinToken);
            http.createContext("/", agent::handle);
            http.setExecutor(executor);
            http.start();
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the node agent on " + address + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, new WireError(WireError.UNAUTHORIZED, null, "a valid join token is required"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!"POST".equals(exchange.getRequestMethod()) || !path.startsWith(PATH)) {
                reply(exchange, new WireError(WireError.UNKNOWN, null, "POST " + PATH + "<operation> only"));
                return;
            }
            String name = path.substring(PATH.length());
            if (RESTORE.equals(name)) {
                restore(exchange);
                return;
            }
            var operation = NodeOperationsDispatch.operation(name);
            if (operation.isEmpty()) {
                reply(exchange, new WireError(WireError.UNKNOWN, null, "no operation " + name));
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] bytes = in.readNBytes(MAX_JSON_BYTES + 1);
                if (bytes.length > MAX_JSON_BYTES) {
                    reply(exchange, new WireError(WireError.INVALID, null, name + ": request body too large"));
                    return;
                }
                body = bytes.length == 0 ? null : Json.MAPPER.readTree(bytes);
            } catch (RuntimeException e) {
                reply(exchange, new WireError(WireError.INVALID, null, name + ": malformed request body")); // never echoed
                return;
            }
            NodeOperationsDispatch.Args args = new NodeOperationsDispatch.Args(body);
            try {
                Object value = operation.get().run(node, args);
                reply(exchange, 200, Json.MAPPER.writeValueAsBytes(java.util.Collections.singletonMap("value", value)));
            } catch (RuntimeException e) {
                failed(exchange, name, instanceOf(args), e);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("node agent: request {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
        }
    }

    private void restore(HttpExchange exchange) throws IOException {
        InstanceRef instance;
        try {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            instance = new InstanceRef(query.get("cluster"), Integer.parseInt(query.getOrDefault("ordinal", "")));
        } catch (RuntimeException e) {
            reply(exchange, new WireError(WireError.INVALID, null, RESTORE + ": ?cluster=<name>&ordinal=<n> required"));
            return;
        }
        try (InputStream tar = exchange.getRequestBody()) {
            node.restoreBaseBackup(instance, tar);
            reply(exchange, 200, "{\"value\":null}".getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            failed(exchange, RESTORE, instance, e);
        }
    }

    private void failed(HttpExchange exchange, String operation, InstanceRef instance, RuntimeException e) throws IOException {
        WireError error = WireError.of(operation, e);
        if (instance != null) {
            log.warn("cluster={} instance={} {} failed: {}", instance.cluster(), instance.instance(), operation, error.message());
        } else {
            log.warn("{} failed: {}", operation, error.message());
        }
        reply(exchange, error);
    }

    private static InstanceRef instanceOf(NodeOperationsDispatch.Args args) {
        try {
            return args.body() != null && args.body().has("instance") ? args.instance() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(joinToken, authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static void reply(HttpExchange exchange, WireError error) throws IOException {
        reply(exchange, error.status(), Json.MAPPER.writeValueAsBytes(error));
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
