package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ClusterTls;
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
 * The local {@link InstanceBackend} ({@code pgpilot.provisioner.backend=local}): instances are PostgreSQL processes on this host, managed by the instance
 * manager's classes in this JVM (initdb, join, lifecycle, configuration, restore, sql). Passwords
 * travel only in files of mode 600 owned by the OS user (pwfile, passfile), never on a command line.
 * Certificates are issued here, on the control-plane side, and written into the instance's files.
 */
public final class LocalProcessBackend implements InstanceBackend {

    private final PostgresHost host;
    private final InstanceCertificates certificates;
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
        this.host = new PostgresHost(binaries, user, home);
        Supplier<CertificateAuthority> authority = ca != null ? ca
                : CertificateAuthority.atFirstUse(host.home().resolve("secrets"), clock);
        this.certificates = new InstanceCertificates(authority, renewal, clock, user);
        this.directories = new InstanceDirectories(host, basePort);
        this.observer = new InstanceObserver(host, directories);
        this.process = new InstanceProcess(host);
        this.controlData = new ControlData(host);
        this.config = new ConfigWriter(host, layout -> ensureCertificates(layout).changed(), new ServiceTokens(host.home())::cluster);
        this.initDb = new InitDb(host, directories, config);
        this.clone = new ReplicaClone(host, directories, config, layout -> ensureCertificates(layout).changed());
        this.rewind = new Rewind(host, config, layout -> ensureCertificates(layout).changed());
        this.restore = new BaseBackupRestore(host, directories);
        this.roleReset = new RoleReset(host, config, process);
        this.sql = new InstanceSql(() -> certificates.authority().certificateFile());
    }


    @Override
    public InstanceCertificates certificates() {
        return certificates;
    }

    @Override
    public Path home() {
        return host.home();
    }

    public OsUser user() {
        return host.user();
    }

    @Override
    public InstanceLayout layout(String cluster, int ordinal) {
        return host.layout(cluster, ordinal);
    }

    /** Local instances listen on and are reached at 127.0.0.1. */
    @Override
    public String host(InstanceLayout layout) {
        return InstanceLayout.HOST;
    }

    // ---- observation -------------------------------------------------------------------------

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return observer.observe(cluster);
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return observer.observeMembers(cluster);
    }

    @Override
    public List<String> clusters() {
        return directories.clusters();
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return directories.ordinals(cluster);
    }

    @Override
    public boolean isRunning(InstanceLayout layout) {
        return Postmaster.isRunning(layout);
    }

    @Override
    public InstanceMetadata readMetadata(InstanceLayout layout) {
        return directories.readMetadata(layout);
    }

    // ---- creation, join, restore -------------------------------------------------------------

    @Override
    public InstanceMetadata prepare(InstanceLayout layout) {
        return directories.prepare(layout);
    }

    @Override
    public void initPrimary(InstanceLayout layout, Credentials superuser) {
        initDb.initPrimary(layout, superuser);
    }

    @Override
    public void cloneReplica(InstanceLayout layout, InstanceEndpoint primary, Credentials replication) {
        clone.cloneReplica(layout, primary.host(), primary.port(), replication);
    }

    @Override
    public void writePassfile(InstanceLayout layout, String primaryHost, Credentials replication) {
        clone.writePassfile(layout, primaryHost, replication);
    }

    @Override
    public void rewind(InstanceLayout layout, InstanceEndpoint primary, Credentials superuser) {
        rewind.rewind(layout, primary.host(), primary.port(), superuser);
    }

    @Override
    public void restoreBaseBackup(InstanceLayout layout, InputStream tar) {
        restore.restoreBaseBackup(layout, tar);
    }

    @Override
    public void awaitPromotion(InstanceLayout layout, Duration timeout) {
        restore.awaitPromotion(layout, timeout);
    }

    @Override
    public String recoveryLog(InstanceLayout layout) {
        return ServerLog.recovery(layout);
    }

    @Override
    public void resetRolesAfterRecovery(InstanceLayout layout, int port, Credentials superuser, Credentials replication, Credentials owner) {
        roleReset.resetRolesAfterRecovery(layout, port, superuser, replication, owner);
    }

    // ---- configuration and certificates ------------------------------------------------------

    @Override
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        return config.writeConfig(layout, settings, parameters);
    }

    @Override
    public boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings) {
        return config.writeManagedConfig(layout, settings);
    }

    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        return config.writeClusterTls(cluster, tls);
    }

    /** Issues or renews what is due among the instance's certificates (nothing is reloaded here). */
    @Override
    public InstanceCertificates.Outcome ensureCertificates(InstanceLayout layout) {
        ClusterTls tls = config.clusterTls(layout.cluster());
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
        process.start(layout);
    }

    @Override
    public void stop(InstanceLayout layout) {
        process.stop(layout);
    }

    @Override
    public boolean stopOrKill(InstanceLayout layout, Duration timeout) {
        return process.stopOrKill(layout, timeout);
    }

    @Override
    public void kill(InstanceLayout layout) {
        process.kill(layout);
    }

    @Override
    public void reload(InstanceLayout layout) {
        process.reload(layout);
    }

    @Override
    public void promote(InstanceLayout layout) {
        process.promote(layout);
    }

    @Override
    public void discard(InstanceLayout layout) {
        process.discard(layout);
    }

    @Override
    public void remove(InstanceLayout layout) {
        process.remove(layout);
    }

    @Override
    public void removeCluster(String cluster) {
        directories.removeCluster(cluster);
    }

    @Override
    public void clearCrashLeftovers(InstanceLayout layout) {
        CrashLeftovers.clear(layout);
    }

    @Override
    public void writeStandbySignal(InstanceLayout layout) {
        process.writeStandbySignal(layout);
    }

    @Override
    public void removeStandbySignal(InstanceLayout layout) {
        process.removeStandbySignal(layout);
    }

    @Override
    public int timeline(InstanceLayout layout) {
        return controlData.timeline(layout);
    }

    @Override
    public long latestCheckpointLsn(InstanceLayout layout) {
        return controlData.latestCheckpointLsn(layout);
    }

    @Override
    public InstanceSql sql() {
        return sql;
    }
}
