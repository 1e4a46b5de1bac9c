package io.pgpilot.services;

import io.pgpilot.events.EventBus;
import io.pgpilot.local.OsUser;
import io.pgpilot.services.pooler.KafkaPoolerPublisher;
import io.pgpilot.services.pooler.PoolerSupervisor;
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
    public PoolerSupervisor poolerSupervisor(PlatformProperties platform, ServicesProperties services, EventBus bus) {
        Path dir = servicesDir(platform);
        PortStore ports = new PortStore(dir.resolve("pooler-ports.json"), services.poolerBasePort(), 1);
        return new PoolerSupervisor(dir.resolve("poolers"), platform.home().resolve("secrets"), ports, services.pgbouncerBinary(),
                services.listenAddress(), OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED),
                new KafkaPoolerPublisher(bus), Clock.systemUTC()).start(services.resyncInterval());
    }

    @Bean(destroyMethod = "close")
    public AccessLayer accessLayer(PlatformProperties platform, ServicesProperties services, EventBus bus,
                                   PoolerSupervisor poolers) {
        Path dir = servicesDir(platform);
        PortStore ports = new PortStore(dir.resolve("ports.json"), services.basePort());
        HaproxyProcess haproxy = new HaproxyProcess(services.haproxyBinary(), dir);
        return new AccessLayer(ports, haproxy, new KafkaEndpointPublisher(bus), Clock.systemUTC(), services.listenAddress())
                .onApplied(poolers::onEndpoints)
                .start(services.resyncInterval());
    }

    @Bean(destroyMethod = "close")
    public EventFeed eventFeed(PlatformProperties platform, AccessLayer accessLayer, PoolerSupervisor poolers,
                               @Value("${spring.application.name:services}") String name) {
        return new EventFeed(platform.kafkaBootstrapServers(), name, accessLayer, poolers).start();
    }
}
