package io.pgpilot.provisioner;

import io.pgpilot.events.Json;
import io.pgpilot.instance.restore.RecoveryException;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The backup service's recovery endpoints: which base backup a new cluster starts from and its
 * PGDATA as a plain tar stream (the source store comes from the cluster's spec on the service's side).
 */
final class RecoveryClient {

    /** The chosen base backup. */
    record Plan(String backupId, String beginWal, String endWal, String endLsn, String endTime, String store) {
    }

    private final String baseUrl;
    /** The recovering cluster's own token: the backup service serves a cluster's recovery data to it alone. */
    private final java.util.function.Function<String, String> clusterToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RecoveryClient(String baseUrl, java.util.function.Function<String, String> clusterToken) {
        this.baseUrl = baseUrl;
        this.clusterToken = clusterToken;
    }

    /** The plan; the backup service's refusal (422) becomes {@link RecoveryException.Reason#NO_BACKUP} with its reason. */
    Plan plan(String cluster) {
        Names.requireCluster(cluster);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/recovery/" + cluster))
                .header("Authorization", "Bearer " + clusterToken.apply(cluster))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        Map<?, ?> body = parse(response.body());
        if (response.statusCode() == 422) {
            throw new RecoveryException(RecoveryException.Reason.NO_BACKUP, String.valueOf(body.get("error")));
        }
        if (response.statusCode() == 404) {
            throw new RecoveryException(RecoveryException.Reason.UNAVAILABLE, "the backup service does not know the recovery source of "
                    + cluster + " yet (" + body.get("error") + ")");
        }
        if (response.statusCode() != 200) {
            throw new RecoveryException(RecoveryException.Reason.UNAVAILABLE, "backup service: HTTP " + response.statusCode() + " "
                    + body.get("error"));
        }
        String id = String.valueOf(body.get("backupId"));
        if (!id.matches("[0-9]{8}T[0-9]{6}")) {
            throw new RecoveryException(RecoveryException.Reason.FAILED, "the backup service named an invalid backup id");
        }
        return new Plan(id, (String) body.get("beginWal"), (String) body.get("endWal"), (String) body.get("endLsn"),
                String.valueOf(body.get("endTime")), (String) body.get("store"));
    }

    /** The backup's PGDATA as a plain tar; the caller closes it. */
    InputStream data(String cluster, String backupId) {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/recovery/" + Names.requireCluster(cluster)
                + "/backups/" + backupId + "/data")).header("Authorization", "Bearer " + clusterToken.apply(cluster)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String error;
            try (InputStream in = response.body()) {
                error = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            } catch (IOException e) {
                error = "";
            }
            throw new RecoveryException(response.statusCode() == 422 || response.statusCode() == 404 ? RecoveryException.Reason.NO_BACKUP
                    : RecoveryException.Reason.UNAVAILABLE, "backup " + backupId + " cannot be read: HTTP " + response.statusCode() + " "
                    + parse(error).get("error"));
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new RecoveryException(RecoveryException.Reason.UNAVAILABLE, "the backup service is not reachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecoveryException(RecoveryException.Reason.FAILED, "interrupted");
        }
    }

    private static Map<?, ?> parse(String body) {
        try {
            return body == null || body.isBlank() ? Map.of() : Json.read(body, Map.class);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
