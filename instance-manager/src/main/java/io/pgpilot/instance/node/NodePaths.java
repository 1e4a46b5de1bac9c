package io.pgpilot.instance.node;

import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceLayout;

/**
 * The control plane renders {@link ManagedSettings} with the paths of its own layout; a node puts
 * its own in (socket and log directories, the TLS directory of the upstream connection). Pure.
 */
public final class NodePaths {

    private NodePaths() {
    }

    public static ManagedSettings localize(ManagedSettings settings, InstanceLayout layout) {
        Upstream upstream = settings.upstream() == null ? null
                : new Upstream(settings.upstream().host(), settings.upstream().port(), layout.tlsDirectory());
        return new ManagedSettings(settings.instanceName(), settings.port(), layout.socketDirectory(), layout.logDirectory(),
                settings.synchronousStandbyNames(), upstream, settings.archiving(), settings.recovery());
    }
}
