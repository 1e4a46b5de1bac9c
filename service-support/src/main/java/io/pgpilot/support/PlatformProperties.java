package io.pgpilot.support;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings every service shares. {@code home} holds all local state of the platform (instance
 * data, secrets, access-layer config); it is kept across restarts.
 */
@ConfigurationProperties(prefix = "pgpilot")
public record PlatformProperties(String kafkaBootstrapServers, Path home, Duration publishTimeout) {

    public PlatformProperties {
        if (kafkaBootstrapServers == null || kafkaBootstrapServers.isBlank()) {
            kafkaBootstrapServers = "127.0.0.1:9092";
        }
        if (home == null) {
            home = Path.of(System.getProperty("user.dir"), ".pgpilot");
        }
        home = home.toAbsolutePath();
        if (publishTimeout == null) {
            publishTimeout = Duration.ofSeconds(5);
        }
    }
}
