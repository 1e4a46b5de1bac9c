package io.pgpilot.services;

/** One PostgreSQL instance behind an endpoint: HAProxy server name = instance name. */
public record Server(String name, String host, int port) {
}
