package io.pgpilot.support.security;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one client of the services module's {@code POST /poolers/hold/{cluster}} (internal token): before
 * a planned switchover (the gateway's, a rolling restart's), the cluster's transaction-mode rw poolers
 * pause so that their clients wait instead of failing, and resume on the new primary by themselves.
 * Never blocks the switchover on a failure: it is logged and the answer says nothing was held.
 */
public final class PoolerHold {

    private static final Logger log = LoggerFactory.getLogger(PoolerHold.class);
    private static final Pattern URL = Pattern.compile("https?://[-a-zA-Z0-9.:\\[\\]]+");

    private final String servicesUrl;
    private final ServiceTokens tokens;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public PoolerHold(String servicesUrl, ServiceTokens tokens, Duration timeout) {
        if (servicesUrl == null || !URL.matcher(servicesUrl).matches()) {
            throw new IllegalArgumentException("the services URL must be http(s)://host[:port]");
        }
        this.servicesUrl = servicesUrl;
        this.tokens = tokens;
        this.timeout = timeout;
    }

    /** Returns once the cluster's held poolers drained (or could not be held): {@code poolersHeld}, {@code poolersDrained}. */
    public Map<String, Object> hold(String cluster) {
        Names.requireCluster(cluster);
        HttpRequest request = HttpRequest.newBuilder(URI.create(servicesUrl + "/poolers/hold/" + cluster + "?timeoutMs="
                        + timeout.toMillis()))
                .header("Authorization", "Bearer " + tokens.internal())
                .timeout(timeout.plusSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                @SuppressWarnings("unchecked")
                Map<String, Object> body = Json.read(response.body(), Map.class);
                log.info("cluster={} poolers held for the switchover: {}", cluster, body);
                return Map.of("poolersHeld", body.getOrDefault("poolers", 0), "poolersDrained", body.getOrDefault("drained", false));
            }
            log.warn("cluster={} poolers not held for the switchover: HTTP {}", cluster, response.statusCode());
        } catch (IOException e) {
            log.warn("cluster={} poolers not held for the switchover: {}", cluster, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.of("poolersHeld", 0);
    }
}
