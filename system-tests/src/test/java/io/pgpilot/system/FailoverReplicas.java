package io.pgpilot.system;

import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.ServiceProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** The failover-service replicas of a platform and which of them is the active decider (their GET /leadership). */
final class FailoverReplicas {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private FailoverReplicas() {
    }

    /** A replica's role from its GET /leadership; empty when it does not answer (dead or frozen). */
    @SuppressWarnings("unchecked")
    static Optional<String> state(ServiceProcess replica) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.httpPort() + "/leadership"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(String.valueOf(Json.read(response.body(), Map.class).get("state")))
                    : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The replicas whose process is alive (the platform starts one, {@link LocalPlatform#startFailoverReplica} more). */
    static List<ServiceProcess> alive(LocalPlatform platform) {
        return Stream.of("failover-service", "failover-service-2", "failover-service-3")
                .map(platform::service).filter(s -> s != null && s.isAlive()).toList();
    }

    /** Waits until exactly one live replica says it is ACTIVE and returns it. */
    static ServiceProcess awaitActive(LocalPlatform platform, Duration within) {
        return await().atMost(within).until(() -> {
            List<ServiceProcess> active = alive(platform).stream().filter(r -> state(r).filter("ACTIVE"::equals).isPresent()).toList();
            return active.size() == 1 ? active.getFirst() : null;
        }, Objects::nonNull);
    }
}
