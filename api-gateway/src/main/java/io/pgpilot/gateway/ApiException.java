package io.pgpilot.gateway;

import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status to answer and a message safe to show. */
class ApiException extends RuntimeException {

    private final HttpStatus status;

    ApiException(HttpStatus status, String message) {
        super(message);
        this.status = status;
    }

    HttpStatus status() {
        return status;
    }
}
