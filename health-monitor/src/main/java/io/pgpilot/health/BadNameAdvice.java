package io.pgpilot.health;

import io.pgpilot.model.ManifestException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.Map;

/** A malformed cluster or instance name in a probe path is the caller's error, not ours. */
@RestControllerAdvice
class BadNameAdvice {

    @ExceptionHandler(ManifestException.class)
    ResponseEntity<Map<String, String>> badName(ManifestException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", e.getMessage()));
    }
}
