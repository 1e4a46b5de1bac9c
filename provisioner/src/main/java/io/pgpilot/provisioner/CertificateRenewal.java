package io.pgpilot.provisioner;

import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renews the certificates of every instance before they expire ({@link io.pgpilot.provisioner.tls.RenewalPolicy}:
 * 90-day certificates, 7 days before by default) and reloads the running ones: PostgreSQL picks
 * up new TLS files on reload, sessions and the postmaster stay (no restart, no downtime).
 */
public final class CertificateRenewal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);

    /** One instance whose certificates were reissued in a pass. */
    public record Renewed(String cluster, String instance, List<String> files, boolean reloaded) {
    }

    private final InstanceBackend postgres;
    private ScheduledExecutorService timer;

    public CertificateRenewal(InstanceBackend postgres) {
        this.postgres = postgres;
    }

    /** One pass over every initialized instance; failures are logged and the others go on. */
    public List<Renewed> renewDue() {
        List<Renewed> renewed = new ArrayList<>();
        for (String cluster : postgres.clusters()) {
            for (ObservedInstance o : postgres.observe(cluster).values()) {
                if (!o.initialized()) {
                    continue;
                }
                InstanceLayout layout = postgres.layout(cluster, o.ordinal());
                try {
                    InstanceCertificates.Outcome outcome = postgres.ensureCertificates(layout);
                    if (outcome.changed()) {
                        boolean running = postgres.isRunning(layout);
                        if (running) {
                            postgres.reload(layout);
                        }
                        log.info("cluster={} instance={} certificates renewed {}{}", cluster, layout.instance(), outcome.renewed(),
                                running ? ", reloaded" : "");
                        renewed.add(new Renewed(cluster, layout.instance(), outcome.renewed(), running));
                    }
                } catch (RuntimeException e) {
                    log.warn("cluster={} instance={} certificate renewal failed (retried next pass): {}", cluster, layout.instance(),
                            e.getMessage());
                }
            }
        }
        return renewed;
    }

    public synchronized void start(Duration every) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("certificate-renewal").daemon().factory());
        // a first pass soon after start: certificates may have expired while the platform was down
        long first = Math.min(every.toMillis(), Duration.ofMinutes(1).toMillis());
        timer.scheduleWithFixedDelay(this::renewDue, first, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
