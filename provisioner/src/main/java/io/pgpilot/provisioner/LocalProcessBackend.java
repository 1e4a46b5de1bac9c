package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.LocalNodeOperations;
import io.pgpilot.instance.sql.InstanceSql;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.provisioner.tls.CertificateAuthority;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import io.pgpilot.provisioner.tls.RenewalPolicy;
import io.pgpilot.provisioner.tls.SubjectAltNames;
import io.pgpilot.provisioner.tls.TlsException;
import io.pgpilot.support.security.ServiceTokens;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The local {@link InstanceBackend} ({@code pgpilot.provisioner.backend=local}): instances are
 * PostgreSQL processes on this host, reached at 127.0.0.1. The file and process operations are the
 * node side's own ({@link LocalNodeOperations} in its single-host form, the same code a node agent
 * runs); what stays here is the control plane's part: certificates are issued on this side (the CA
 * never reaches an instance's files) and SQL sessions. Passwords travel only in files of mode 600
 * owned by the OS user (pwfile, passfile), never on a command line.
 */
public final class LocalProcessBackend implements InstanceBackend {

    private final Path home;
    private final InstanceCertificates certificates;
    private final LocalNodeOperations node;
    private final InstanceSql sql;

    /** With pgpilot's own CA under {@code <home>/secrets} and 90-day certificates renewed 7 days before expiry. */
    public LocalProcessBackend(PostgresBinaries binaries, OsUser user, Path home, int basePort) {
        this(binaries, user, home, basePort, RenewalPolicy.DEFAULT, Clock.systemUTC(), null);
    }

    /**
     * @param ca null: pgpilot's own CA, created at first use under {@code <home>/secrets}; else a user-supplied one
     */
    public LocalProcessBackend(PostgresBinaries binaries, OsUser user, Path home, int basePort, RenewalPolicy renewal, Clock clock,
                               Supplier<CertificateAuthority> ca) {
        this.home = home;
        Supplier<CertificateAuthority> authority = ca != null ? ca : CertificateAuthority.atFirstUse(home.resolve("secrets"), clock);
        this.certificates = new InstanceCertificates(authority, renewal, clock, user);
        this.node = new LocalNodeOperations(binaries, user, home, basePort, layout -> ensureCertificates(layout).changed(),
                new ServiceTokens(home)::cluster);
        this.sql = new InstanceSql(() -> certificates.authority().certificateFile());
    }

    private static InstanceRef ref(InstanceLayout layout) {
        return InstanceRef.of(layout);
    }

    @Override
    public InstanceCertificates certificates() {
        return certificates;
    }

    @Override
    public Path home() {
        return home;
    }

    public OsUser user() {
        return node.user();
    }

    @Override
    public InstanceLayout layout(String cluster, int ordinal) {
        return node.layout(cluster, ordinal);
    }

    /** Local instances listen on and are reached at 127.0.0.1. */
    @Override
    public String host(InstanceLayout layout) {
        return InstanceLayout.HOST;
    }

    // ---- observation -------------------------------------------------------------------------

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return node.observe(cluster);
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return node.observeMembers(cluster);
    }

    @Override
    public List<String> clusters() {
        return node.clusters();
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return node.ordinals(cluster);
    }

    @Override
    public boolean isRunning(InstanceLayout layout) {
        return node.isRunning(ref(layout));
    }

    @Override
    public InstanceMetadata readMetadata(InstanceLayout layout) {
        return node.readMetadata(ref(layout));
    }

    // ---- creation, join, restore -------------------------------------------------------------

    @Override
    public InstanceMetadata prepare(InstanceLayout layout) {
        return node.prepare(ref(layout));
    }

    @Override
    public void initPrimary(InstanceLayout layout, Credentials superuser) {
        node.initPrimary(ref(layout), superuser);
    }

    @Override
    public void cloneReplica(InstanceLayout layout, InstanceEndpoint primary, Credentials replication) {
        node.cloneReplica(ref(layout), primary.host(), primary.port(), replication);
    }

    @Override
    public void writePassfile(InstanceLayout layout, String primaryHost, Credentials replication) {
        node.writePassfile(ref(layout), primaryHost, replication);
    }

    @Override
    public void rewind(InstanceLayout layout, InstanceEndpoint primary, Credentials superuser) {
        node.rewind(ref(layout), primary.host(), primary.port(), superuser);
    }

    @Override
    public void restoreBaseBackup(InstanceLayout layout, InputStream tar) {
        node.restoreBaseBackup(ref(layout), tar);
    }

    @Override
    public void awaitPromotion(InstanceLayout layout, Duration timeout) {
        node.awaitPromotion(ref(layout), timeout);
    }

    @Override
    public String recoveryLog(InstanceLayout layout) {
        return node.recoveryLog(ref(layout));
    }

    /** {@code port} is the instance's own, which the node side reads from its metadata. */
    @Override
    public void resetRolesAfterRecovery(InstanceLayout layout, int port, Credentials superuser, Credentials replication, Credentials owner) {
        node.resetRolesAfterRecovery(ref(layout), superuser, replication, owner);
    }

    // ---- configuration and certificates ------------------------------------------------------

    @Override
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        return node.writeConfig(ref(layout), settings, parameters);
    }

    @Override
    public boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings) {
        return node.writeManagedConfig(ref(layout), settings);
    }

    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return node.writeClusterTls(cluster, tls);
    }

    /** Issues or renews what is due among the instance's certificates (nothing is reloaded here). */
    @Override
    public InstanceCertificates.Outcome ensureCertificates(InstanceLayout layout) {
        ClusterTls tls = node.clusterTls(layout.cluster());
        try {
            return certificates.ensure(layout.cluster(), layout.instance(), layout.directory(),
                    SubjectAltNames.forInstance(layout.cluster(), layout.instance(), host(layout), null, tls.serverAltDnsNames()));
        } catch (TlsException | UncheckedIOException | IllegalStateException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write the certificates of " + layout.instance() + ": " + e.getMessage(), e);
        }
    }

    // ---- process control ---------------------------------------------------------------------

    @Override
    public void start(InstanceLayout layout) {
        node.start(ref(layout));
    }

    @Override
    public void stop(InstanceLayout layout) {
        node.stop(ref(layout));
    }

    @Override
    public boolean stopOrKill(InstanceLayout layout, Duration timeout) {
        return node.stopOrKill(ref(layout), timeout);
    }

    @Override
    public void kill(InstanceLayout layout) {
        node.kill(ref(layout));
    }

    @Override
    public void reload(InstanceLayout layout) {
        node.reload(ref(layout));
    }

    @Override
    public void promote(InstanceLayout layout) {
        node.promote(ref(layout));
    }

    @Override
    public void discard(InstanceLayout layout) {
        node.discard(ref(layout));
    }

    @Override
    public void remove(InstanceLayout layout) {
        node.remove(ref(layout));
    }

    @Override
    public void removeCluster(String cluster) {
        node.removeCluster(cluster);
    }

    @Override
    public void clearCrashLeftovers(InstanceLayout layout) {
        node.clearCrashLeftovers(ref(layout));
    }

    @Override
    public void writeStandbySignal(InstanceLayout layout) {
        node.writeStandbySignal(ref(layout));
    }

    @Override
    public void removeStandbySignal(InstanceLayout layout) {
        node.removeStandbySignal(ref(layout));
    }

    @Override
    public int timeline(InstanceLayout layout) {
        return node.timeline(ref(layout));
    }

    @Override
    public long latestCheckpointLsn(InstanceLayout layout) {
        return node.latestCheckpointLsn(ref(layout));
    }

    @Override
    public InstanceSql sql() {
        return sql;
    }
}
