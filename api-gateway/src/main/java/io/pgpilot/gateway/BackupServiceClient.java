package io.pgpilot.gateway;

import io.pgpilot.support.PlatformProperties;
import io.pgpilot.support.security.ServiceTokens;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The gateway's calls to the backup service, authenticated with the internal service token
 * (docs/security.md). The answer is passed on as it came (status and JSON body); a refused token
 * is a 502 (the services do not share a platform home), an unreachable service a 503.
 */
@Component
class BackupServiceClient {

    private static final Pattern URL = Pattern.compile("https?://[a-zA-Z0-9.-]+(:[0-9]{1,5})?");

    private final String backupService;
    private final ServiceTokens tokens;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    BackupServiceClient(PlatformProperties platform,
                        @Value("${pgpilot.gateway.backup-service-url:http://127.0.0.1:8084}") String backupServiceUrl) {
        if (!URL.matcher(backupServiceUrl).matches()) {
            throw new IllegalArgumentException("pgpilot.gateway.backup-service-url must be http(s)://host[:port]");
        }
        this.backupService = backupServiceUrl;
        this.tokens = new ServiceTokens(platform.home());
    }

    /** {@code path} is built by the caller from validated names only. */
    ResponseEntity<String> call(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(backupService + path)).timeout(Duration.ofSeconds(30))
                .header("X-Requested-By", "api-gateway")
                .header("Authorization", "Bearer " + tokens.internal())
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new ApiException(HttpStatus.BAD_GATEWAY, "the backup service refused the gateway's service token");
            }
            return ResponseEntity.status(response.statusCode()).contentType(MediaType.APPLICATION_JSON).body(response.body());
        } catch (IOException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the backup service is not reachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted");
        }
    }
}
