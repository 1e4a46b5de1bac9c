package io.pgpilot.instance.fencing;

import io.pgpilot.events.PlatformEvent;
import io.pgpilot.instance.probe.PostmasterCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Safety rule 2, the act: stops an isolated primary with PostgreSQL's fast shutdown (SIGINT to the
 * postmaster: clients cut, no further commit acknowledged) and returns the {@code instance.self-fenced}
 * event for the caller to publish once Kafka takes it.
 */
public final class SelfFence {

    private static final Logger log = LoggerFactory.getLogger(SelfFence.class);

    private SelfFence() {
    }

    /** @param source who fenced ({@code health-monitor}, {@code instance-manager}): the event's source */
    public static PlatformEvent stop(String source, String cluster, String instance, Path dataDirectory, Duration timeout) {
        log.error("cluster={} instance={} SELF-FENCING: no heartbeat accepted by Kafka and no majority of "
                + "the cluster seen for {}; fast shutdown", cluster, instance, timeout);
        boolean signalled = PostmasterCheck.fastShutdown(dataDirectory);
        return PlatformEvent.of(source, "instance.self-fenced", cluster, instance,
                Map.of("signalled", signalled, "timeoutMs", timeout.toMillis()));
    }

    /**
     * {@link FreezeGuard}'s act: SIGKILL of the frozen primary's postmaster and every child, and the
     * {@code instance.killed-frozen} event for the caller to publish.
     */
    public static PlatformEvent killFrozen(String source, String cluster, String instance, Path dataDirectory, Duration frozenFor) {
        long pid = io.pgpilot.local.Processes.postmasterPid(dataDirectory);
        log.error("cluster={} instance={} primary FROZEN (postmaster {} stopped by a signal, no answer for {}): killing it so that a "
                + "replica can take over now", cluster, instance, pid, frozenFor);
        int killed = pid > 0 ? io.pgpilot.local.Processes.killTree(pid) : 0;
        return PlatformEvent.of(source, "instance.killed-frozen", cluster, instance,
                Map.of("processes", killed, "frozenMs", frozenFor.toMillis()));
    }
}
