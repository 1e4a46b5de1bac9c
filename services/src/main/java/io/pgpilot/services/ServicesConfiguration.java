package io.pgpilot.services;

import io.pgpilot.events.EventBus;
import io.pgpilot.support.PlatformProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.time.Clock;

/** Wires the access layer: port store and HAProxy under {@code <home>/services/}, Kafka in and out. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ServicesProperties.class)
public class ServicesConfiguration {

    static Path servicesDir(PlatformProperties platform) {
        return platform.home().resolve("services");
    }

    @Bean(destroyMethod = "close")
    public AccessLayer accessLayer(PlatformProperties platform, ServicesProperties services, EventBus bus) {
        Path dir = servicesDir(platform);
        PortStore ports = new PortStore(dir.resolve("ports.json"), services.basePort());
        HaproxyProcess haproxy = new HaproxyProcess(services.haproxyBinary(), dir);
        return new AccessLayer(ports, haproxy, new KafkaEndpointPublisher(bus), Clock.systemUTC())
                .start(services.resyncInterval());
    }

    @Bean(destroyMethod = "close")
    public EventFeed eventFeed(PlatformProperties platform, AccessLayer accessLayer,
                               @Value("${spring.application.name:services}") String name) {
        return new EventFeed(platform.kafkaBootstrapServers(), name, accessLayer).start();
    }
}
