package io.pgpilot.provisioner;

import io.pgpilot.events.EventBus;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.provisioner.tls.TlsProperties;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

/** Wires the instance backend, the adapters, the reconciler and the spec follower. */
@Configuration(proxyBeanMethods = false)
public class ProvisionerConfiguration {

    /** The backend named by {@code pgpilot.provisioner.backend} (validated in {@link ProvisionerProperties}). */
    @Bean
    public InstanceBackend instanceBackend(PlatformProperties platform, ProvisionerProperties properties, TlsProperties tls) {
        return switch (properties.backend()) {
            case "local" -> {
                PostgresBinaries binaries = properties.pgBin() == null || properties.pgBin().isBlank()
                        ? PostgresBinaries.detect() : new PostgresBinaries(Path.of(properties.pgBin()));
                yield new LocalProcessBackend(binaries, OsUser.forPostgres(properties.osUser()), platform.home(), properties.basePort(),
                        tls.renewal(), java.time.Clock.systemUTC(), tls.suppliedCa());
            }
            default -> throw new IllegalStateException("pgpilot.provisioner.backend: no backend '" + properties.backend() + "'");
        };
    }

    /** Renews certificates before they expire, checked every {@code pgpilot.provisioner.tls.check-interval}. */
    @Bean(destroyMethod = "close")
    public CertificateRenewal certificateRenewal(InstanceBackend postgres, TlsProperties tls) {
        CertificateRenewal renewal = new CertificateRenewal(postgres);
        renewal.start(tls.checkInterval());
        return renewal;
    }

    @Bean
    public SecretStore secretStore(PlatformProperties platform) {
        return new SecretStore(platform.home());
    }

    @Bean(destroyMethod = "close")
    public KafkaInventoryPublisher inventoryPublisher(EventBus bus) {
        return new KafkaInventoryPublisher(bus);
    }

    /** Closed by {@link SpecFollower#stop()}: that is where instances are stopped on shutdown. */
    @Bean(destroyMethod = "")
    public ClusterReconciler clusterReconciler(InstanceBackend postgres, SecretStore secrets, KafkaInventoryPublisher publisher,
                                               ProvisionerProperties properties, PlatformProperties platform,
            @org.springframework.beans.factory.annotation.Value("${pgpilot.provisioner.services-url:}") String servicesUrl) {
        ClusterReconciler reconciler = new ClusterReconciler(postgres, secrets, publisher, properties.ha(), properties.backupServiceUrl());
        if (servicesUrl != null && !servicesUrl.isBlank()) {
            var hold = new io.pgpilot.support.security.PoolerHold(servicesUrl,
                    new io.pgpilot.support.security.ServiceTokens(platform.home()), java.time.Duration.ofSeconds(10));
            reconciler.beforeSwitchover(hold::hold);
        }
        return reconciler;
    }

    /** spec.managed.roles and Database manifests, reconciled on each primary (pgpilot.provisioner.managed-interval). */
    @Bean(destroyMethod = "close")
    public io.pgpilot.provisioner.managed.ManagedObjectsReconciler managedObjects(PlatformProperties platform, InstanceBackend postgres,
            SecretStore secrets, EventBus bus,
            @org.springframework.beans.factory.annotation.Value("${pgpilot.provisioner.managed-interval:10s}") java.time.Duration interval) {
        return new io.pgpilot.provisioner.managed.ManagedObjectsReconciler(platform.kafkaBootstrapServers(),
                new io.pgpilot.provisioner.roles.ManagedRoles(new io.pgpilot.support.security.SecretFiles(platform.home())),
                (cluster, primary, database) -> postgres.connect(new InstanceEndpoint(primary.host(), primary.port()), database, secrets.superuser(cluster)), bus)
                .start(interval);
    }

    @Bean
    public SpecFollower specFollower(PlatformProperties platform, ClusterReconciler reconciler) {
        return new SpecFollower(platform.kafkaBootstrapServers(), reconciler);
    }
}
