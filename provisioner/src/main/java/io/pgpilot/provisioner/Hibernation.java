package io.pgpilot.provisioner;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.pgpilot.provisioner.ClusterReconciler.SOURCE;

/**
 * CloudNativePG's hibernation ({@code cnpg.io/hibernation: "on"}): every instance of the cluster
 * stopped with a fast shutdown, the primary first (its replicas receive its shutdown checkpoint),
 * data directories, secrets, topology and backups kept. A marker next to the instances keeps a
 * hibernated cluster stopped across a restart of the platform (instances are otherwise started
 * before the specs are read). Waking up ({@code "off"} or no annotation) removes the marker; the
 * topology convergence then starts the same primary first and its replicas.
 */
final class Hibernation {

    private static final Logger log = LoggerFactory.getLogger(Hibernation.class);

    private final InstanceBackend postgres;
    private final InstanceReporter reporter;
    private final InventoryPublisher publisher;

    Hibernation(InstanceBackend postgres, InstanceReporter reporter, InventoryPublisher publisher) {
        this.postgres = postgres;
        this.reporter = reporter;
        this.publisher = publisher;
    }

    private Path marker(String cluster) {
        return postgres.home().resolve("clusters").resolve(Names.requireCluster(cluster)).resolve("hibernated");
    }

    boolean hibernated(String cluster) {
        return Files.exists(marker(cluster));
    }

    /** Stops every running instance (primary first) and records them as stopped by hibernation. */
    void hibernate(ClusterDefinition desired) {
        String cluster = desired.name();
        boolean first = !hibernated(cluster);
        try {
            Files.createDirectories(marker(cluster).getParent());
            Files.writeString(marker(cluster), "hibernated by the manifest's " + ClusterDefinition.HIBERNATION + " annotation\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> stopped = new ArrayList<>();
        postgres.observe(cluster).values().stream()
                .sorted(Comparator.comparing(ObservedInstance::standby).thenComparingInt(ObservedInstance::ordinal))
                .forEach(o -> {
                    InstanceLayout layout = postgres.layout(cluster, o.ordinal());
                    if (o.running()) {
                        postgres.stop(layout);
                        stopped.add(layout.instance());
                        log.info("cluster={} instance={} stopped for hibernation", cluster, layout.instance());
                    }
                    reporter.stopped(cluster, o, "hibernated");
                });
        if (first || !stopped.isEmpty()) {
            log.info("cluster={} hibernated ({} instances stopped, data kept)", cluster, stopped.size());
            publisher.event(PlatformEvent.of(SOURCE, "cluster.hibernated", cluster, null, Map.of("stopped", stopped)));
        }
    }

    /** Removes the marker; true when the cluster was hibernated (the caller starts it again). */
    boolean wake(String cluster) {
        try {
            boolean was = Files.deleteIfExists(marker(cluster));
            if (was) {
                log.info("cluster={} waking up from hibernation", cluster);
                publisher.event(PlatformEvent.of(SOURCE, "cluster.waking", cluster, null, Map.of()));
            }
            return was;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
