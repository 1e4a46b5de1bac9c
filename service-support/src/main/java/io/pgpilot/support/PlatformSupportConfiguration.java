package io.pgpilot.support;

import io.pgpilot.events.EventBus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** Gives every service the event bus, after making sure the platform's topics exist. */
@AutoConfiguration
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformSupportConfiguration {

    @Bean(destroyMethod = "close")
    public EventBus eventBus(PlatformProperties properties, @Value("${spring.application.name:pgpilot}") String name) {
        EventBus.ensureTopics(properties.kafkaBootstrapServers(), (short) 1);
        return new EventBus(properties.kafkaBootstrapServers(), name, properties.publishTimeout());
    }
}
