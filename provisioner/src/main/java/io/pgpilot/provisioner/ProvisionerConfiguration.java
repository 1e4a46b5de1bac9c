package io.pgpilot.provisioner;

import io.pgpilot.events.EventBus;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.provisioner.tls.TlsProperties;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.provisioner.nodes.NodeAgentClients;
import io.pgpilot.provisioner.nodes.NodeDirectory;
import io.pgpilot.provisioner.nodes.NodesBackend;
import io.pgpilot.provisioner.nodes.PlacementBook;
import io.pgpilot.provisioner.nodes.Placer;
import io.pgpilot.provisioner.placement.PlacementPlanner;
import io.pgpilot.provisioner.tls.CertificateAuthority;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import org.springframework.beans.factory.annotation.Value;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/** Wires the instance backend, the adapters, the reconciler and the spec follower. */
@Configuration(proxyBeanMethods = false)
public class ProvisionerConfiguration {

    /** The backend named by {@code pgpilot.provisioner.backend} (validated in {@link ProvisionerProperties}). */
    @Bean
    public InstanceBackend instanceBackend(PlatformProperties platform, ProvisionerProperties properties, TlsProperties tls,
                                           org.springframework.beans.factory.ObjectProvider<NodeDirectory> nodes,
                                           @Value("${pgpilot.provisioner.nodes.heartbeat-timeout:5s}") Duration heartbeatTimeout,
                                           @Value("${pgpilot.provisioner.nodes.loss-grace:5m}") Duration lossGrace,
                                           @Value("${pgpilot.provisioner.nodes.anti-affinity:preferred}") String antiAffinity,
                                           @Value("${pgpilot.provisioner.nodes.join-token-file:}") String joinTokenFile) {
        return switch (properties.backend()) {
            case "nodes" -> {
                Clock clock = Clock.systemUTC();
                Supplier<CertificateAuthority> ca = tls.suppliedCa() != null ? tls.suppliedCa()
                        : CertificateAuthority.atFirstUse(platform.home().resolve("secrets"), clock);
                PlacementPlanner planner = new PlacementPlanner(new PlacementPlanner.Settings(heartbeatTimeout, lossGrace,
                        PlacementPlanner.AntiAffinity.valueOf(antiAffinity.trim().toUpperCase(java.util.Locale.ROOT))));
                yield new NodesBackend(platform.home(), nodes.getObject(), new PlacementBook(platform.home()), new Placer(planner),
                        nodeClient(platform.home(), joinTokenFile), new InstanceCertificates(ca, tls.renewal(), clock, OsUser.forPostgres(properties.osUser())), clock);
            }
            case "local" -> {
                PostgresBinaries binaries = properties.pgBin() == null || properties.pgBin().isBlank()
                        ? PostgresBinaries.detect() : new PostgresBinaries(Path.of(properties.pgBin()));
                yield new LocalProcessBackend(binaries, OsUser.forPostgres(properties.osUser()), platform.home(), properties.basePort(),
                        tls.renewal(), java.time.Clock.systemUTC(), tls.suppliedCa());
            }
            default -> throw new IllegalStateException("pgpilot.provisioner.backend: no backend '" + properties.backend() + "'");
        };
    }

    /** The registered nodes (topic pgpilot.nodes), followed only with {@code pgpilot.provisioner.backend=nodes}. */
    @Bean(destroyMethod = "close")
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "pgpilot.provisioner.backend", havingValue = "nodes")
    public NodeDirectory nodeDirectory(PlatformProperties platform) {
        return NodeDirectory.following(platform.kafkaBootstrapServers(), Clock.systemUTC(), Duration.ofSeconds(10));
    }

    /**
     * How the placer reaches a node: the node agent's client, authenticated with the join token (a
     * file, mode 0600; empty setting: {@code <home>/secrets/join-token}, where the local platform
     * writes it).
     */
    static Function<NodeRecord, NodeOperations> nodeClient(Path home, String joinTokenFile) {
        Path file = joinTokenFile == null || joinTokenFile.isBlank() ? home.resolve("secrets").resolve("join-token") : Path.of(joinTokenFile);
        return NodeAgentClients.withToken(NodeAgentClients.readJoinToken(file), Duration.ofSeconds(3), Duration.ofSeconds(30));
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
