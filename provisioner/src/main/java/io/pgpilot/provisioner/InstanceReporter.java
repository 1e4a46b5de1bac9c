package io.pgpilot.provisioner;

import io.pgpilot.events.InstanceRecord;
import io.pgpilot.events.InstanceRecord.Phase;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.model.ClusterDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;

import static io.pgpilot.provisioner.ClusterReconciler.SOURCE;

/**
 * The provisioner's inventory records and creation progress events, stamped with the cluster's
 * incarnation in force ({@link Incarnations}).
 */
final class InstanceReporter {

    private static final Logger log = LoggerFactory.getLogger(InstanceReporter.class);

    private final InstanceBackend postgres;
    private final InventoryPublisher publisher;
    private final Incarnations incarnations;

    InstanceReporter(InstanceBackend postgres, InventoryPublisher publisher, Incarnations incarnations) {
        this.postgres = postgres;
        this.publisher = publisher;
        this.incarnations = incarnations;
    }

    /**
     * Creation progress in the events: {@code step} of {@code of} (the desired instances). While an
     * instance is created, step counts it with those already running; once created, the running ones.
     */
    void creating(InstanceLayout layout, int port, String role, int of) {
        int step = Math.min(running(layout.cluster(), of) + 1, of);
        log.info("cluster={} instance={} creating {} on port {} (step {} of {})", layout.cluster(), layout.instance(), role, port, step, of);
        publisher.instance(record(layout, port, Phase.CREATING, role));
        publisher.event(PlatformEvent.of(SOURCE, "instance.creating", layout.cluster(), layout.instance(),
                Map.of("role", role, "port", port, "step", step, "of", of,
                        "message", "creating " + role + " " + layout.instance() + " (" + step + " of " + of + ")")));
    }

    void created(InstanceLayout layout, int port, String role, int of) {
        int step = running(layout.cluster(), of);
        log.info("cluster={} instance={} created {} on port {} ({}/{} instances ready)", layout.cluster(), layout.instance(), role, port,
                step, of);
        publisher.instance(record(layout, port, Phase.RUNNING, role));
        publisher.event(PlatformEvent.of(SOURCE, "instance.created", layout.cluster(), layout.instance(),
                Map.of("role", role, "port", port, "step", step, "of", of, "message", step + "/" + of + " instances ready")));
    }

    /** Running instances among the first {@code of} ordinals. */
    private int running(String cluster, int of) {
        return (int) postgres.observe(cluster).values().stream().filter(o -> o.running() && o.ordinal() <= of).count();
    }

    void fail(String cluster, int ordinal, int port, String message) {
        InstanceLayout layout = postgres.layout(cluster, ordinal);
        log.error("cluster={} instance={} failed: {}", cluster, layout.instance(), message);
        publisher.instance(record(layout, port, Phase.FAILED, message));
        publisher.event(PlatformEvent.of(SOURCE, "instance.failed", cluster, layout.instance(),
                Map.of("reason", String.valueOf(message))));
    }

    /** The RUNNING record of an observed running instance. */
    void running(String cluster, ObservedInstance o) {
        publisher.instance(record(postgres.layout(cluster, o.ordinal()), o.port(), Phase.RUNNING, o.standby() ? "replica" : "primary"));
    }

    /** The STOPPED record of an instance stopped on purpose ({@code why}: e.g. hibernated). */
    void stopped(String cluster, ObservedInstance o, String why) {
        publisher.instance(record(postgres.layout(cluster, o.ordinal()), o.port(), Phase.STOPPED, why));
    }

    /** Publishes the current record of every instance on disk; true when all desired ones run. */
    boolean publishCurrent(ClusterDefinition desired) {
        String cluster = desired.name();
        int running = 0;
        for (ObservedInstance o : postgres.observe(cluster).values()) {
            if (o.running()) {
                running += o.ordinal() <= desired.instances() ? 1 : 0;
                running(cluster, o);
            }
        }
        return running == desired.instances();
    }

    private InstanceRecord record(InstanceLayout layout, int port, Phase phase, String message) {
        return new InstanceRecord(layout.cluster(), layout.instance(), layout.ordinal(), postgres.knownHost(layout), port,
                layout.pgdata().toString(), phase, Instant.now(), message, incarnations.current(layout.cluster()));
    }
}
