package io.pgpilot.gateway;

import io.pgpilot.events.EventBus;
import io.pgpilot.model.ManifestException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every refusal has the same shape: {@code {"error": ..., "violations": [{field, reason}]}}. */
@RestControllerAdvice
class ApiErrors {

    @ExceptionHandler(ManifestException.class)
    ResponseEntity<Map<String, Object>> invalid(ManifestException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid manifest: " + e.getMessage());
        body.put("violations", e.violations().stream().map(v -> Map.of("field", v.field(), "reason", v.reason())).toList());
        HttpStatus status = e.violations().stream().anyMatch(v -> v.reason().contains("larger than"))
                ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        return ResponseEntity.status(status).body(body);
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> refused(ApiException e) {
        // JSON even where the handler produces something else (the event stream's 400 / 503)
        return ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", e.getMessage(), "violations", List.of()));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(Map.of(
                "error", "send the manifest as application/yaml or application/json", "violations", List.of()));
    }

    @ExceptionHandler(EventBus.PublishException.class)
    ResponseEntity<Map<String, Object>> unavailable(EventBus.PublishException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of(
                "error", "the platform's event bus did not accept the request; nothing was changed, retry later",
                "violations", List.of()));
    }
}
