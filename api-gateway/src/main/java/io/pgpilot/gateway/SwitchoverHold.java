package io.pgpilot.gateway;

import io.pgpilot.events.Json;
import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerValidator;
import io.pgpilot.support.PlatformProperties;
import io.pgpilot.support.security.ServiceTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Before a planned switchover or promote, asks the services module to pause the cluster's
 * transaction-mode rw poolers (PgBouncer PAUSE: running transactions finish, new ones wait) so that
 * their clients see a pause instead of errors; they resume on the new primary by themselves. Session
 * mode poolers are not held: their server connections are released only when clients disconnect.
 * A failure to hold never blocks the switchover: it is logged and the switchover goes on.
 */
@Component
class SwitchoverHold {

    private static final Logger log = LoggerFactory.getLogger(SwitchoverHold.class);
    private static final Pattern URL = Pattern.compile("https?://[-a-zA-Z0-9.:\\[\\]]+");

    private final PoolerView poolers;
    private final ServiceTokens tokens;
    private final String servicesUrl;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    SwitchoverHold(PoolerView poolers, PlatformProperties platform,
                   @Value("${pgpilot.gateway.services-url:http://127.0.0.1:8085}") String servicesUrl,
                   @Value("${pgpilot.gateway.pooler-pause-timeout:10s}") Duration timeout) {
        if (!URL.matcher(servicesUrl).matches()) {
            throw new IllegalArgumentException("pgpilot.gateway.services-url must be http(s)://host[:port]");
        }
        this.poolers = poolers;
        this.tokens = new ServiceTokens(platform.home());
        this.servicesUrl = servicesUrl;
        this.timeout = timeout;
    }

    /** Returns once the cluster's held poolers drained (or could not be held); what happened, for the answer. */
    Map<String, Object> beforeSwitchover(String cluster) {
        boolean any = poolers.specs().values().stream().map(spec -> PoolerValidator.validate(spec.manifest()))
                .anyMatch(p -> p.cluster().equals(cluster) && p.type() == PoolerDefinition.Type.RW
                        && p.poolMode() == PoolerDefinition.PoolMode.TRANSACTION);
        if (!any) {
            return Map.of();
        }
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
