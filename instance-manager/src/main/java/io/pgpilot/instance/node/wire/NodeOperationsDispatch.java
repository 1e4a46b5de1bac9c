package io.pgpilot.instance.node.wire;

import io.pgpilot.events.Json;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.node.CertificateBundle;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeOperations;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's side of the protocol: operation name to a call of {@link NodeOperations}, the
 * arguments named in a JSON object (the parameter names of the interface). {@code restoreBaseBackup}
 * is not here: its body is the tar stream (see {@link NodeAgentServer}).
 */
final class NodeOperationsDispatch {

    @FunctionalInterface
    interface Operation {
        /** The result (null for a void operation). */
        Object run(NodeOperations node, Args args);
    }

    /** The named arguments of one call; a missing or malformed one is an IllegalArgumentException naming it. */
    record Args(JsonNode body) {

        <T> T get(String name, Class<T> type) {
            JsonNode value = body == null ? null : body.get(name);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("missing argument " + name);
            }
            try {
                return Json.MAPPER.treeToValue(value, type);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed argument " + name); // never the value: it may be a secret
            }
        }

        <T> T get(String name, TypeReference<T> type) {
            JsonNode value = body == null ? null : body.get(name);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("missing argument " + name);
            }
            try {
                return Json.MAPPER.convertValue(value, type);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed argument " + name);
            }
        }

        InstanceRef instance() {
            return get("instance", InstanceRef.class);
        }

        String string(String name) {
            return get(name, String.class);
        }

        Credentials credentials(String name) {
            return get(name, Credentials.class);
        }
    }

    private static final TypeReference<Map<String, String>> PARAMETERS = new TypeReference<>() {
    };

    private static final Map<String, Operation> OPERATIONS = Map.ofEntries(
            Map.entry("address", (n, a) -> n.address()),
            Map.entry("clusters", (n, a) -> n.clusters()),
            Map.entry("ordinals", (n, a) -> n.ordinals(a.string("cluster"))),
            Map.entry("observe", (n, a) -> n.observe(a.string("cluster"))),
            Map.entry("observeMembers", (n, a) -> n.observeMembers(a.string("cluster"))),
            Map.entry("isRunning", (n, a) -> n.isRunning(a.instance())),
            Map.entry("readMetadata", (n, a) -> n.readMetadata(a.instance())),
            Map.entry("timeline", (n, a) -> n.timeline(a.instance())),
            Map.entry("latestCheckpointLsn", (n, a) -> n.latestCheckpointLsn(a.instance())),
            Map.entry("prepare", (n, a) -> n.prepare(a.instance())),
            Map.entry("initPrimary", (n, a) -> run(() -> n.initPrimary(a.instance(), a.credentials("superuser")))),
            Map.entry("cloneReplica", (n, a) -> run(() -> n.cloneReplica(a.instance(), a.string("primaryHost"),
                    a.get("primaryPort", Integer.class), a.credentials("replication")))),
            Map.entry("writePassfile", (n, a) -> run(() -> n.writePassfile(a.instance(), a.string("primaryHost"),
                    a.credentials("replication")))),
            Map.entry("rewind", (n, a) -> run(() -> n.rewind(a.instance(), a.string("primaryHost"),
                    a.get("primaryPort", Integer.class), a.credentials("superuser")))),
            Map.entry("awaitPromotion", (n, a) -> run(() -> n.awaitPromotion(a.instance(), a.get("timeout", Duration.class)))),
            Map.entry("recoveryLog", (n, a) -> n.recoveryLog(a.instance())),
            Map.entry("resetRolesAfterRecovery", (n, a) -> run(() -> n.resetRolesAfterRecovery(a.instance(), a.credentials("superuser"),
                    a.credentials("replication"), a.credentials("owner")))),
            Map.entry("discard", (n, a) -> run(() -> n.discard(a.instance()))),
            Map.entry("writeConfig", (n, a) -> n.writeConfig(a.instance(), a.get("settings", ManagedSettings.class),
                    a.get("parameters", PARAMETERS))),
            Map.entry("writeManagedConfig", (n, a) -> n.writeManagedConfig(a.instance(), a.get("settings", ManagedSettings.class))),
            Map.entry("writeClusterTls", (n, a) -> n.writeClusterTls(a.string("cluster"), a.get("tls", ClusterTls.class))),
            Map.entry("serverCertificate", (n, a) -> n.serverCertificate(a.instance())),
            Map.entry("installCertificates", (n, a) -> n.installCertificates(a.instance(), a.get("bundle", CertificateBundle.class))),
            Map.entry("writeClusterToken", (n, a) -> run(() -> n.writeClusterToken(a.string("cluster"), a.string("token")))),
            Map.entry("writeManagerSpec", (n, a) -> n.writeManagerSpec(a.string("cluster"), a.get("spec", io.pgpilot.instance.node.ManagerSpec.class))),
            Map.entry("start", (n, a) -> run(() -> n.start(a.instance()))),
            Map.entry("stop", (n, a) -> run(() -> n.stop(a.instance()))),
            Map.entry("stopOrKill", (n, a) -> n.stopOrKill(a.instance(), a.get("timeout", Duration.class))),
            Map.entry("kill", (n, a) -> run(() -> n.kill(a.instance()))),
            Map.entry("clearCrashLeftovers", (n, a) -> run(() -> n.clearCrashLeftovers(a.instance()))),
            Map.entry("reload", (n, a) -> run(() -> n.reload(a.instance()))),
            Map.entry("promote", (n, a) -> run(() -> n.promote(a.instance()))),
            Map.entry("writeStandbySignal", (n, a) -> run(() -> n.writeStandbySignal(a.instance()))),
            Map.entry("removeStandbySignal", (n, a) -> run(() -> n.removeStandbySignal(a.instance()))),
            Map.entry("remove", (n, a) -> run(() -> n.remove(a.instance()))),
            Map.entry("removeCluster", (n, a) -> run(() -> n.removeCluster(a.string("cluster")))));

    private NodeOperationsDispatch() {
    }

    private static Object run(Runnable call) {
        call.run();
        return null;
    }

    static Optional<Operation> operation(String name) {
        return Optional.ofNullable(OPERATIONS.get(name));
    }
}
