package io.pgpilot.instance.node.wire;

import io.pgpilot.events.Json;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.node.CertificateBundle;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeOperations;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link NodeOperations} of a remote node through its agent ({@link NodeAgentServer}). A node that
 * does not answer (refused, reset, timed out) is a {@link ProvisioningException} with
 * {@link Reason#NODE_UNREACHABLE} (a retry can help; the operation may or may not have run, every
 * operation is safe to repeat); the agent's ProvisioningException and RecoveryException come back
 * with their reason and message. Observations (what runs, roles, metadata, control data: files and
 * processes on the node) wait at most {@value #OBSERVE_SECONDS} s, so that a node cut off or frozen
 * behind a kept connection holds up a convergence pass for seconds, not for the request timeout;
 * other quick operations wait {@code requestTimeout}; initdb, clone, rewind and restore wait as
 * long as the node side itself allows them.
 */
public final class NodeAgentClient implements NodeOperations {

    static final long OBSERVE_SECONDS = 5;
    static final Duration OBSERVE = Duration.ofSeconds(OBSERVE_SECONDS);
    static final Duration LONG = Duration.ofHours(6);
    static final Duration PROCESS = Duration.ofMinutes(3);

    private final String address;
    private final URI base;
    private final String joinToken;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param address   the node's address (its agent and its instances are reached there)
     * @param agentPort the agent's HTTP port (the node record's {@code pgpilot.io/agent-port} label)
     */
    public NodeAgentClient(String address, int agentPort, String joinToken, Duration connectTimeout, Duration requestTimeout) {
        this.address = address;
        this.base = URI.create("http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + agentPort
                + NodeAgentServer.PATH);
        this.joinToken = joinToken;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public String address() {
        return address;
    }

    // ---- observe -----------------------------------------------------------------------------

    @Override
    public List<String> clusters() {
        return observation("clusters", args(), new TypeReference<List<String>>() { });
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return observation("ordinals", args("cluster", cluster), new TypeReference<List<Integer>>() { });
    }

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return observation("observe", args("cluster", cluster), new TypeReference<Map<Integer, ObservedInstance>>() { });
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return observation("observeMembers", args("cluster", cluster), new TypeReference<Map<Integer, MemberState>>() { });
    }

    @Override
    public boolean isRunning(InstanceRef instance) {
        return observation("isRunning", args("instance", instance), Boolean.class);
    }

    @Override
    public InstanceMetadata readMetadata(InstanceRef instance) {
        return observation("readMetadata", args("instance", instance), InstanceMetadata.class);
    }

    @Override
    public int timeline(InstanceRef instance) {
        return observation("timeline", args("instance", instance), Integer.class);
    }

    @Override
    public long latestCheckpointLsn(InstanceRef instance) {
        return observation("latestCheckpointLsn", args("instance", instance), Long.class);
    }

    // ---- create, join, rewind, restore -------------------------------------------------------

    @Override
    public InstanceMetadata prepare(InstanceRef instance) {
        return call("prepare", args("instance", instance), InstanceMetadata.class);
    }

    @Override
    public void initPrimary(InstanceRef instance, Credentials superuser) {
        call("initPrimary", args("instance", instance, "superuser", superuser), Void.class, LONG);
    }

    @Override
    public void cloneReplica(InstanceRef instance, String primaryHost, int primaryPort, Credentials replication) {
        call("cloneReplica", args("instance", instance, "primaryHost", primaryHost, "primaryPort", primaryPort, "replication", replication),
                Void.class, LONG);
    }

    @Override
    public void writePassfile(InstanceRef instance, String primaryHost, Credentials replication) {
        call("writePassfile", args("instance", instance, "primaryHost", primaryHost, "replication", replication), Void.class);
    }

    @Override
    public void rewind(InstanceRef instance, String primaryHost, int primaryPort, Credentials superuser) {
        call("rewind", args("instance", instance, "primaryHost", primaryHost, "primaryPort", primaryPort, "superuser", superuser),
                Void.class, LONG);
    }

    @Override
    public void restoreBaseBackup(InstanceRef instance, InputStream tar) {
        URI uri = base.resolve(NodeAgentServer.RESTORE + "?cluster=" + URLEncoder.encode(instance.cluster(), StandardCharsets.UTF_8)
                + "&ordinal=" + instance.ordinal());
        send(NodeAgentServer.RESTORE, request(uri, LONG).header("Content-Type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> tar)).build(), Void.class);
    }

    @Override
    public void awaitPromotion(InstanceRef instance, Duration timeout) {
        call("awaitPromotion", args("instance", instance, "timeout", timeout), Void.class, timeout.plus(requestTimeout));
    }

    @Override
    public String recoveryLog(InstanceRef instance) {
        return call("recoveryLog", args("instance", instance), String.class);
    }

    @Override
    public void resetRolesAfterRecovery(InstanceRef instance, Credentials superuser, Credentials replication, Credentials owner) {
        call("resetRolesAfterRecovery", args("instance", instance, "superuser", superuser, "replication", replication, "owner", owner),
                Void.class, PROCESS);
    }

    @Override
    public void discard(InstanceRef instance) {
        call("discard", args("instance", instance), Void.class, PROCESS);
    }

    // ---- configuration, certificates, secrets ------------------------------------------------

    @Override
    public boolean writeConfig(InstanceRef instance, ManagedSettings settings, Map<String, String> parameters) {
        return call("writeConfig", args("instance", instance, "settings", settings, "parameters", parameters), Boolean.class);
    }

    @Override
    public boolean writeManagedConfig(InstanceRef instance, ManagedSettings settings) {
        return call("writeManagedConfig", args("instance", instance, "settings", settings), Boolean.class);
    }

    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return call("writeClusterTls", args("cluster", cluster, "tls", tls), Boolean.class);
    }

    @Override
    public String serverCertificate(InstanceRef instance) {
        return call("serverCertificate", args("instance", instance), String.class);
    }

    @Override
    public boolean installCertificates(InstanceRef instance, CertificateBundle bundle) {
        return call("installCertificates", args("instance", instance, "bundle", bundle), Boolean.class);
    }

    @Override
    public void writeClusterToken(String cluster, String token) {
        call("writeClusterToken", args("cluster", cluster, "token", token), Void.class);
    }

    @Override
    public boolean writeManagerSpec(String cluster, io.pgpilot.instance.node.ManagerSpec spec) {
        return call("writeManagerSpec", args("cluster", cluster, "spec", spec), Boolean.class);
    }

    // ---- process control ---------------------------------------------------------------------

    @Override
    public void start(InstanceRef instance) {
        call("start", args("instance", instance), Void.class, PROCESS);
    }

    @Override
    public void stop(InstanceRef instance) {
        call("stop", args("instance", instance), Void.class, PROCESS);
    }

    @Override
    public boolean stopOrKill(InstanceRef instance, Duration timeout) {
        return call("stopOrKill", args("instance", instance, "timeout", timeout), Boolean.class, timeout.plus(PROCESS));
    }

    @Override
    public void kill(InstanceRef instance) {
        call("kill", args("instance", instance), Void.class, PROCESS);
    }

    @Override
    public void clearCrashLeftovers(InstanceRef instance) {
        call("clearCrashLeftovers", args("instance", instance), Void.class);
    }

    @Override
    public void reload(InstanceRef instance) {
        call("reload", args("instance", instance), Void.class);
    }

    @Override
    public void promote(InstanceRef instance) {
        call("promote", args("instance", instance), Void.class, PROCESS);
    }

    @Override
    public void writeStandbySignal(InstanceRef instance) {
        call("writeStandbySignal", args("instance", instance), Void.class);
    }

    @Override
    public void removeStandbySignal(InstanceRef instance) {
        call("removeStandbySignal", args("instance", instance), Void.class);
    }

    @Override
    public void remove(InstanceRef instance) {
        call("remove", args("instance", instance), Void.class, PROCESS);
    }

    @Override
    public void removeCluster(String cluster) {
        call("removeCluster", args("cluster", cluster), Void.class, PROCESS);
    }

    // ---- transport ---------------------------------------------------------------------------

    private static Map<String, Object> args(Object... namesAndValues) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            args.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return args;
    }

    /** An observation: at most {@link #OBSERVE} (or the request timeout when that is shorter). */
    private <T> T observation(String operation, Map<String, Object> args, Class<T> type) {
        return send(operation, post(operation, args, observeTimeout()), Json.MAPPER.constructType(type));
    }

    private <T> T observation(String operation, Map<String, Object> args, TypeReference<T> type) {
        return send(operation, post(operation, args, observeTimeout()), Json.MAPPER.getTypeFactory().constructType(type));
    }

    private Duration observeTimeout() {
        return OBSERVE.compareTo(requestTimeout) < 0 ? OBSERVE : requestTimeout;
    }

    private <T> T call(String operation, Map<String, Object> args, Class<T> type) {
        return call(operation, args, type, requestTimeout);
    }

    private <T> T call(String operation, Map<String, Object> args, Class<T> type, Duration timeout) {
        return send(operation, post(operation, args, atLeastRequestTimeout(timeout)), Json.MAPPER.constructType(type));
    }

    private <T> T call(String operation, Map<String, Object> args, TypeReference<T> type) {
        return send(operation, post(operation, args, requestTimeout), Json.MAPPER.getTypeFactory().constructType(type));
    }

    /** A POST that waits exactly {@code timeout} ({@link #call} sees to the request timeout as the least). */
    private HttpRequest post(String operation, Map<String, Object> args, Duration timeout) {
        return authorized(base.resolve(operation), timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(args))).build();
    }

    private HttpRequest.Builder request(URI uri, Duration timeout) {
        return authorized(uri, atLeastRequestTimeout(timeout));
    }

    private HttpRequest.Builder authorized(URI uri, Duration timeout) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + joinToken);
    }

    private Duration atLeastRequestTimeout(Duration timeout) {
        return timeout.compareTo(requestTimeout) < 0 ? requestTimeout : timeout;
    }

    private <T> T send(String operation, HttpRequest request, Class<T> type) {
        return send(operation, request, Json.MAPPER.constructType(type));
    }

    private <T> T send(String operation, HttpRequest request, tools.jackson.databind.JavaType type) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(operation, e);
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (RuntimeException e) {
            throw unreachable(operation, new IOException("HTTP " + response.statusCode() + " without a JSON body"));
        }
        if (response.statusCode() != 200) {
            WireError error = Json.MAPPER.treeToValue(body, WireError.class);
            throw error.toException(address);
        }
        JsonNode value = body.get("value");
        return value == null || value.isNull() || type.getRawClass() == Void.class ? null : Json.MAPPER.treeToValue(value, type);
    }

    private ProvisioningException unreachable(String operation, Exception e) {
        return new ProvisioningException(Reason.NODE_UNREACHABLE, "node " + address + " did not answer " + operation + " (" + e + ")");
    }
}
