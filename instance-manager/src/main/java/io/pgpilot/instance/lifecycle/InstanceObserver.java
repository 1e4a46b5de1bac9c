package io.pgpilot.instance.lifecycle;

import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.layout.PostgresHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** What is on disk and running for the instances of a cluster on this host; reads only, spawns nothing. */
public final class InstanceObserver {

    private final PostgresHost host;
    private final InstanceDirectories directories;

    public InstanceObserver(PostgresHost host, InstanceDirectories directories) {
        this.host = host;
        this.directories = directories;
    }

    /** Every instance directory of a cluster (with its persisted port), whether it runs or not. */
    public Map<Integer, ObservedInstance> observe(String cluster) {
        Map<Integer, ObservedInstance> result = new TreeMap<>();
        for (int ordinal : directories.ordinals(cluster)) {
            InstanceLayout layout = host.layout(cluster, ordinal);
            InstanceMetadata metadata = directories.readMetadata(layout);
            int port = metadata == null ? 0 : metadata.port();
            boolean initialized = layout.initialized();
            result.put(ordinal, new ObservedInstance(ordinal, layout.instance(), port, initialized,
                    initialized && layout.standby(), initialized && Postmaster.isRunning(layout)));
        }
        return result;
    }

    /** Observation for the topology convergence: role by standby.signal, upstream from the managed file. */
    public Map<Integer, MemberState> observeMembers(String cluster) {
        Map<Integer, MemberState> result = new TreeMap<>();
        for (ObservedInstance o : observe(cluster).values()) {
            InstanceLayout layout = host.layout(cluster, o.ordinal());
            String managed = o.initialized() ? readManaged(layout) : null;
            result.put(o.ordinal(), new MemberState(o.ordinal(), o.name(), o.port(), o.initialized(), o.standby(), o.running(),
                    ConfigRenderer.upstreamPort(managed), ConfigRenderer.upstreamHost(managed)));
        }
        return result;
    }

    private static String readManaged(InstanceLayout layout) {
        try {
            Path file = layout.pgdata().resolve(ConfigRenderer.MANAGED_FILE);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
