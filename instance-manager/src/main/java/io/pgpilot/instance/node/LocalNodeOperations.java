package io.pgpilot.instance.node;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.CertificateSource;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigWriter;
import io.pgpilot.instance.initdb.InitDb;
import io.pgpilot.instance.join.ReplicaClone;
import io.pgpilot.instance.join.Rewind;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.instance.lifecycle.ControlData;
import io.pgpilot.instance.lifecycle.CrashLeftovers;
import io.pgpilot.instance.lifecycle.InstanceObserver;
import io.pgpilot.instance.lifecycle.InstanceProcess;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.instance.lifecycle.ServerLog;
import io.pgpilot.instance.restore.BaseBackupRestore;
import io.pgpilot.instance.restore.RoleReset;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@link NodeOperations} on this host: the instance manager's classes (initdb, join, lifecycle,
 * configuration, restore) on the instance directories under {@code home}. PostgreSQL listens on the
 * node address and 127.0.0.1 and accepts other hosts over TLS only. Certificates and cluster tokens
 * come from the control plane ({@link #installCertificates}, {@link #writeClusterToken}); nothing is
 * issued here. Passwords travel only in files of mode 600 owned by the OS user.
 */
public final class LocalNodeOperations implements NodeOperations {

    private final PostgresHost host;
    private final String address;
    private final NodeCertificates certificates;
    private final ClusterSecrets secrets;
    /** The node agent's form: secrets come from the control plane and go with the cluster's last instance here. */
    private final boolean nodeForm;
    private final InstanceDirectories directories;
    private final InstanceObserver observer;
    private final InstanceProcess process;
    private final ControlData controlData;
    private final ConfigWriter config;
    private final InitDb initDb;
    private final ReplicaClone clone;
    private final Rewind rewind;
    private final BaseBackupRestore restore;
    private final RoleReset roleReset;

    /**
     * @param address where other hosts reach this node's instances (an IP address of this host;
     *                {@code 127.0.0.1} for a single host)
     */
    public LocalNodeOperations(PostgresBinaries binaries, OsUser user, Path home, int basePort, String address) {
        this(new PostgresHost(binaries, user, home), basePort, address, null, null);
    }

    /**
     * The single-host form the control plane's local backend uses: instances on 127.0.0.1 only,
     * certificates brought up to date by {@code certificates} (issued on this same host) and cluster
     * tokens read by {@code clusterTokens} (the platform's own secrets).
     */
    public LocalNodeOperations(PostgresBinaries binaries, OsUser user, Path home, int basePort, CertificateSource certificates,
                               UnaryOperator<String> clusterTokens) {
        this(new PostgresHost(binaries, user, home), basePort, ConfigRenderer.LOOPBACK, certificates, clusterTokens);
    }

    private LocalNodeOperations(PostgresHost host, int basePort, String address, CertificateSource issued, UnaryOperator<String> tokenReader) {
        ConfigRenderer.listenAddresses(address); // refuses a malformed address
        this.host = host;
        this.address = address;
        this.certificates = new NodeCertificates(host.user());
        this.secrets = new ClusterSecrets(host.home());
        this.nodeForm = tokenReader == null;
        CertificateSource source = issued != null ? issued : certificates::present;
        this.directories = new InstanceDirectories(host, basePort, address);
        this.observer = new InstanceObserver(host, directories);
        this.process = new InstanceProcess(host);
        this.controlData = new ControlData(host);
        this.config = new ConfigWriter(host, source, tokenReader != null ? tokenReader : secrets::readToken, address);
        this.initDb = new InitDb(host, directories, config);
        this.clone = new ReplicaClone(host, directories, config, source);
        this.rewind = new Rewind(host, config, source);
        this.restore = new BaseBackupRestore(host, directories);
        this.roleReset = new RoleReset(host, config, process);
    }

    /** Where an instance's files are on this host. */
    public InstanceLayout layout(String cluster, int ordinal) {
        return host.layout(cluster, ordinal);
    }

    public OsUser user() {
        return host.user();
    }

    /** A cluster's recorded {@code spec.certificates} choices. */
    public ClusterTls clusterTls(String cluster) {
        return config.clusterTls(cluster);
    }

    @Override
    public String address() {
        return address;
    }

    public Path home() {
        return host.home();
    }

    private InstanceLayout layout(InstanceRef instance) {
        return host.layout(instance.cluster(), instance.ordinal());
    }

    // ---- observe -----------------------------------------------------------------------------

    @Override
    public List<String> clusters() {
        return directories.clusters();
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return directories.ordinals(cluster);
    }

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return observer.observe(cluster);
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return observer.observeMembers(cluster);
    }

    @Override
    public boolean isRunning(InstanceRef instance) {
        return Postmaster.isRunning(layout(instance));
    }

    @Override
    public InstanceMetadata readMetadata(InstanceRef instance) {
        return directories.readMetadata(layout(instance));
    }

    @Override
    public int timeline(InstanceRef instance) {
        return controlData.timeline(layout(instance));
    }

    @Override
    public long latestCheckpointLsn(InstanceRef instance) {
        return controlData.latestCheckpointLsn(layout(instance));
    }

    // ---- create, join, rewind, restore -------------------------------------------------------

    @Override
    public InstanceMetadata prepare(InstanceRef instance) {
        return directories.prepare(layout(instance));
    }

    @Override
    public void initPrimary(InstanceRef instance, Credentials superuser) {
        initDb.initPrimary(layout(instance), superuser);
    }

    @Override
    public void cloneReplica(InstanceRef instance, String primaryHost, int primaryPort, Credentials replication) {
        clone.cloneReplica(layout(instance), primaryHost, primaryPort, replication);
    }

    @Override
    public void writePassfile(InstanceRef instance, String primaryHost, Credentials replication) {
        clone.writePassfile(layout(instance), primaryHost, replication);
    }

    @Override
    public void rewind(InstanceRef instance, String primaryHost, int primaryPort, Credentials superuser) {
        rewind.rewind(layout(instance), primaryHost, primaryPort, superuser);
    }

    @Override
    public void restoreBaseBackup(InstanceRef instance, InputStream tar) {
        restore.restoreBaseBackup(layout(instance), tar);
    }

    @Override
    public void awaitPromotion(InstanceRef instance, Duration timeout) {
        restore.awaitPromotion(layout(instance), timeout);
    }

    @Override
    public String recoveryLog(InstanceRef instance) {
        return ServerLog.recovery(layout(instance));
    }

    @Override
    public void resetRolesAfterRecovery(InstanceRef instance, Credentials superuser, Credentials replication, Credentials owner) {
        InstanceLayout layout = layout(instance);
        InstanceMetadata metadata = directories.readMetadata(layout);
        if (metadata == null) {
            throw new ProvisioningException(Reason.LAYOUT, "instance " + instance.instance() + " has no metadata on this node");
        }
        roleReset.resetRolesAfterRecovery(layout, metadata.port(), superuser, replication, owner);
    }

    @Override
    public void discard(InstanceRef instance) {
        process.discard(layout(instance));
    }

    // ---- configuration, certificates, secrets ------------------------------------------------

    @Override
    public boolean writeConfig(InstanceRef instance, ManagedSettings settings, Map<String, String> parameters) {
        InstanceLayout layout = layout(instance);
        return config.writeConfig(layout, NodePaths.localize(settings, layout), parameters);
    }

    @Override
    public boolean writeManagedConfig(InstanceRef instance, ManagedSettings settings) {
        InstanceLayout layout = layout(instance);
        return config.writeManagedConfig(layout, NodePaths.localize(settings, layout));
    }

    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return config.writeClusterTls(cluster, tls);
    }

    @Override
    public String serverCertificate(InstanceRef instance) {
        return certificates.serverCertificate(layout(instance));
    }

    @Override
    public boolean installCertificates(InstanceRef instance, CertificateBundle bundle) {
        return certificates.install(layout(instance), bundle);
    }

    @Override
    public void writeClusterToken(String cluster, String token) {
        secrets.writeToken(cluster, token);
    }

    /** The single-host form keeps nothing: the health monitor probes and fences there, with the platform's own secrets. */
    @Override
    public boolean writeManagerSpec(String cluster, ManagerSpec spec) {
        return nodeForm && secrets.writeManagerSpec(cluster, spec);
    }

    /** What the instance managers of the cluster's instances here run with; empty until the control plane sent it. */
    public java.util.Optional<ManagerSpec> managerSpec(String cluster) {
        return secrets.managerSpec(cluster);
    }

    /** The private file an instance manager of the cluster reads its superuser from. */
    public Path superuserFile(String cluster) {
        return secrets.superuserFile(cluster);
    }

    /** The PostgreSQL binaries this node runs. */
    public Path pgBinDirectory() {
        return host.binaries().directory();
    }

    // ---- process control ---------------------------------------------------------------------

    @Override
    public void start(InstanceRef instance) {
        process.start(layout(instance));
    }

    @Override
    public void stop(InstanceRef instance) {
        process.stop(layout(instance));
    }

    @Override
    public boolean stopOrKill(InstanceRef instance, Duration timeout) {
        return process.stopOrKill(layout(instance), timeout);
    }

    @Override
    public void kill(InstanceRef instance) {
        process.kill(layout(instance));
    }

    @Override
    public void clearCrashLeftovers(InstanceRef instance) {
        CrashLeftovers.clear(layout(instance));
    }

    @Override
    public void reload(InstanceRef instance) {
        process.reload(layout(instance));
    }

    @Override
    public void promote(InstanceRef instance) {
        process.promote(layout(instance));
    }

    @Override
    public void writeStandbySignal(InstanceRef instance) {
        process.writeStandbySignal(layout(instance));
    }

    @Override
    public void removeStandbySignal(InstanceRef instance) {
        process.removeStandbySignal(layout(instance));
    }

    @Override
    public void remove(InstanceRef instance) {
        process.remove(layout(instance));
    }

    @Override
    public void removeCluster(String cluster) {
        directories.removeCluster(cluster);
        if (nodeForm) {
            secrets.remove(cluster);
        }
    }
}
