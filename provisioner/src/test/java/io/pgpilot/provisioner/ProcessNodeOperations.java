package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.layout.TlsFiles;
import io.pgpilot.instance.node.CertificateBundle;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.provisioner.tls.CertificateAuthority;
import io.pgpilot.provisioner.tls.RenewalPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * TEST STAND-IN for the node side until helper node's {@code LocalNodeOperations} is merged: one
 * "node" = a {@link LocalProcessBackend} with its own home and base port on this host, addressed
 * by InstanceRef. Paths in the control plane's {@link ManagedSettings} are replaced by this node's
 * own (what a real node does). Replace with LocalNodeOperations when it exists.
 */
final class ProcessNodeOperations implements NodeOperations {

    private final LocalProcessBackend local;
    private final OsUser user;

    /** @param ca the control plane's CA: what the local backend issues by itself matches what it installs */
    ProcessNodeOperations(Path home, int basePort, Supplier<CertificateAuthority> ca) {
        this.user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
        this.local = new LocalProcessBackend(PostgresBinaries.detect(), user, home, basePort, RenewalPolicy.DEFAULT, Clock.systemUTC(), ca);
    }

    InstanceLayout layout(InstanceRef instance) {
        return local.layout(instance.cluster(), instance.ordinal());
    }

    private ManagedSettings own(InstanceRef instance, ManagedSettings s) {
        InstanceLayout layout = layout(instance);
        Upstream upstream = s.upstream() == null ? null : new Upstream(s.upstream().host(), s.upstream().port(), layout.tlsDirectory());
        return new ManagedSettings(s.instanceName(), s.port(), layout.socketDirectory(), layout.logDirectory(), s.synchronousStandbyNames(),
                upstream, s.archiving(), s.recovery());
    }

    @Override
    public String address() {
        return "127.0.0.1";
    }

    @Override
    public List<String> clusters() {
        return local.clusters();
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return local.ordinals(cluster);
    }

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return local.observe(cluster);
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return local.observeMembers(cluster);
    }

    @Override
    public boolean isRunning(InstanceRef instance) {
        return local.isRunning(layout(instance));
    }

    @Override
    public InstanceMetadata readMetadata(InstanceRef instance) {
        return local.readMetadata(layout(instance));
    }

    @Override
    public int timeline(InstanceRef instance) {
        return local.timeline(layout(instance));
    }

    @Override
    public long latestCheckpointLsn(InstanceRef instance) {
        return local.latestCheckpointLsn(layout(instance));
    }

    @Override
    public InstanceMetadata prepare(InstanceRef instance) {
        return local.prepare(layout(instance));
    }

    @Override
    public void initPrimary(InstanceRef instance, Credentials superuser) {
        local.initPrimary(layout(instance), superuser);
    }

    @Override
    public void cloneReplica(InstanceRef instance, String primaryHost, int primaryPort, Credentials replication) {
        local.cloneReplica(layout(instance), new InstanceEndpoint(primaryHost, primaryPort), replication);
    }

    @Override
    public void writePassfile(InstanceRef instance, String primaryHost, Credentials replication) {
        local.writePassfile(layout(instance), primaryHost, replication);
    }

    @Override
    public void rewind(InstanceRef instance, String primaryHost, int primaryPort, Credentials superuser) {
        local.rewind(layout(instance), new InstanceEndpoint(primaryHost, primaryPort), superuser);
    }

    @Override
    public void restoreBaseBackup(InstanceRef instance, InputStream tar) {
        local.restoreBaseBackup(layout(instance), tar);
    }

    @Override
    public void awaitPromotion(InstanceRef instance, Duration timeout) {
        local.awaitPromotion(layout(instance), timeout);
    }

    @Override
    public String recoveryLog(InstanceRef instance) {
        return local.recoveryLog(layout(instance));
    }

    @Override
    public void resetRolesAfterRecovery(InstanceRef instance, Credentials superuser, Credentials replication, Credentials owner) {
        local.resetRolesAfterRecovery(layout(instance), local.port(layout(instance)), superuser, replication, owner);
    }

    @Override
    public void discard(InstanceRef instance) {
        local.discard(layout(instance));
    }

    @Override
    public boolean writeConfig(InstanceRef instance, ManagedSettings settings, Map<String, String> parameters) {
        return local.writeConfig(layout(instance), own(instance, settings), parameters);
    }

    @Override
    public boolean writeManagedConfig(InstanceRef instance, ManagedSettings settings) {
        return local.writeManagedConfig(layout(instance), own(instance, settings));
    }

    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return local.writeClusterTls(cluster, tls);
    }

    @Override
    public String serverCertificate(InstanceRef instance) {
        Path file = TlsFiles.directory(layout(instance).directory()).resolve(TlsFiles.SERVER_CRT);
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean installCertificates(InstanceRef instance, CertificateBundle bundle) {
        Path dir = TlsFiles.ensureDirectory(layout(instance).directory(), user);
        TlsFiles.writeCa(dir, bundle.caCertificate(), user);
        TlsFiles.writePair(dir.resolve(TlsFiles.SERVER_KEY), bundle.serverKey(), dir.resolve(TlsFiles.SERVER_CRT), bundle.serverCertificate(), user);
        TlsFiles.writePair(dir.resolve(TlsFiles.CLIENT_KEY), bundle.clientKey(), dir.resolve(TlsFiles.CLIENT_CRT), bundle.clientCertificate(), user);
        return true;
    }

    @Override
    public void writeClusterToken(String cluster, String token) {
        // no backup service in these tests; the real node writes it where its archive scripts read it
    }

    @Override
    public void start(InstanceRef instance) {
        local.start(layout(instance));
    }

    @Override
    public void stop(InstanceRef instance) {
        local.stop(layout(instance));
    }

    @Override
    public boolean stopOrKill(InstanceRef instance, Duration timeout) {
        return local.stopOrKill(layout(instance), timeout);
    }

    @Override
    public void kill(InstanceRef instance) {
        local.kill(layout(instance));
    }

    @Override
    public void clearCrashLeftovers(InstanceRef instance) {
        local.clearCrashLeftovers(layout(instance));
    }

    @Override
    public void reload(InstanceRef instance) {
        local.reload(layout(instance));
    }

    @Override
    public void promote(InstanceRef instance) {
        local.promote(layout(instance));
    }

    @Override
    public void writeStandbySignal(InstanceRef instance) {
        local.writeStandbySignal(layout(instance));
    }

    @Override
    public void removeStandbySignal(InstanceRef instance) {
        local.removeStandbySignal(layout(instance));
    }

    @Override
    public void remove(InstanceRef instance) {
        local.remove(layout(instance));
    }

    @Override
    public void removeCluster(String cluster) {
        local.removeCluster(cluster);
    }
}
