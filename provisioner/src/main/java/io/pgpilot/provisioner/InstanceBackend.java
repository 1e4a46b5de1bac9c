package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.sql.InstanceSql;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.provisioner.tls.InstanceCertificates;

import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The seam between the provisioner (what should happen to a cluster's instances) and where the
 * instances run: exactly the operations the reconciler, the topology convergence, the rolling
 * restart, the recovery bootstrap, the reporter and the certificate renewal need. {@link
 * LocalProcessBackend} runs them as processes on this host with the instance manager's classes; a
 * node agent (remote instance managers) or Kubernetes pods can implement the same operations.
 * Failures are {@link io.pgpilot.instance.ProvisioningException}s (and {@link
 * io.pgpilot.instance.restore.RecoveryException}s for restores) naming the step.
 */
public interface InstanceBackend {

    /** The platform home the provisioner keeps its own state under (incarnations, service tokens). */
    Path home();

    /** Issues the instances' certificates (control-plane side; the CA key never reaches an instance). */
    InstanceCertificates certificates();

    InstanceLayout layout(String cluster, int ordinal);

    // ---- observe -----------------------------------------------------------------------------

    /** Clusters that have instances with this backend. */
    List<String> clusters();

    /** Ordinals of a cluster's instances, whether they run or not. */
    List<Integer> ordinals(String cluster);

    /** Every instance of a cluster (with its persisted port), whether it runs or not. */
    Map<Integer, ObservedInstance> observe(String cluster);

    /** Observation for the topology convergence: role by standby.signal, upstream from the managed settings. */
    Map<Integer, MemberState> observeMembers(String cluster);

    boolean isRunning(InstanceLayout layout);

    /**
     * The cluster's instances whose host has been lost (silent longer than the loss grace, or gone):
     * ordinal -> that host's name. Such an instance can be created again elsewhere by preparing it
     * again. None on a backend whose instances all run on this host.
     */
    default Map<Integer, String> onLostNodes(String cluster) {
        return Map.of();
    }

    /**
     * Removes, from hosts that are back, the stale copies that instances created again elsewhere left
     * behind (stopped first; they never start again); returns the copies removed. None on a backend
     * whose instances never move.
     */
    default List<StaleCopy> removeStaleCopies(String cluster) {
        return List.of();
    }

    /** The instance's persisted metadata (its port); null when it has none yet. */
    InstanceMetadata readMetadata(InstanceLayout layout);

    /** The address the instance's PostgreSQL is reached at (its node's address; 127.0.0.1 for local processes). */
    String host(InstanceLayout layout);

    /**
     * {@link #host}, or null when it is not known (an instance not placed on a node yet, its node
     * not registered): for the records that report such an instance's failure, which must not fail.
     */
    default String knownHost(InstanceLayout layout) {
        try {
            return host(layout);
        } catch (io.pgpilot.instance.ProvisioningException unknown) {
            return null;
        }
    }

    /** Host and persisted port of an instance that has a port. */
    default InstanceEndpoint endpoint(InstanceLayout layout) {
        return new InstanceEndpoint(host(layout), port(layout));
    }

    /** Host of instance {@code ordinal} of {@code cluster} with the port an observation reported. */
    default InstanceEndpoint endpoint(String cluster, int ordinal, int port) {
        return new InstanceEndpoint(host(layout(cluster, ordinal)), port);
    }

    /** The instance's persisted port; 0 when it has none yet. */
    default int port(InstanceLayout layout) {
        InstanceMetadata metadata = readMetadata(layout);
        return metadata == null ? 0 : metadata.port();
    }

    // ---- create a primary, clone a replica, rewind ---------------------------------------------

    /** Creates the instance's place and assigns (once, persisted) a port. */
    InstanceMetadata prepare(InstanceLayout layout);

    /** initdb of a new cluster's first instance. */
    void initPrimary(InstanceLayout layout, Credentials superuser);

    /** A fresh replica (or a re-clone) by pg_basebackup from the primary, marked standby. */
    void cloneReplica(InstanceLayout layout, InstanceEndpoint primary, Credentials replication);

    /** The replication password (for connections to {@code primaryHost}) where the WAL receiver reads it. */
    void writePassfile(InstanceLayout layout, String primaryHost, Credentials replication);

    /** pg_rewind of a stopped old primary from the running primary. */
    void rewind(InstanceLayout layout, InstanceEndpoint primary, Credentials superuser);

    /** The timeline a stopped instance is on. */
    int timeline(InstanceLayout layout);

    /** The LSN of the latest checkpoint of a stopped instance. */
    long latestCheckpointLsn(InstanceLayout layout);

    // ---- restore from a base backup --------------------------------------------------------------

    /** A fresh data directory from a plain tar stream, prepared for archive recovery. */
    void restoreBaseBackup(InstanceLayout layout, InputStream tar);

    /** Waits until archive recovery ended with the promotion; throws a RecoveryException when it stopped. */
    void awaitPromotion(InstanceLayout layout, Duration timeout);

    /** The server log lines that explain how a recovery ended. */
    String recoveryLog(InstanceLayout layout);

    /** After a recovery's promotion: the new cluster's roles and passwords, the normal pg_hba.conf (on the instance's host). */
    void resetRolesAfterRecovery(InstanceLayout layout, int port, Credentials superuser, Credentials replication, Credentials owner);

    /** Immediate stop and removal of the data (a failed recovery). */
    void discard(InstanceLayout layout);

    // ---- configuration and certificates --------------------------------------------------------

    /** pgpilot.conf, custom.conf, the TLS files and settings; true when any changed (a reload applies it). */
    boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters);

    /** Only pgpilot.conf (repoint, synchronous standbys); true when it changed. */
    boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings);

    /** Records a cluster's {@code spec.certificates} choices; true when they changed. */
    boolean writeClusterTls(String cluster, ClusterTls tls);

    /** Issues or renews what is due among the instance's certificates (nothing is reloaded). */
    InstanceCertificates.Outcome ensureCertificates(InstanceLayout layout);

    /**
     * What the instance managers beside the cluster's instances run with, where instance managers
     * run on the instances' hosts (nodes); a backend whose instances are probed by the health
     * monitor ignores it.
     */
    default void writeManagerSpec(String cluster, io.pgpilot.instance.node.ManagerSpec spec) {
    }

    // ---- start, stop, kill, promote, demote --------------------------------------------------

    void start(InstanceLayout layout);

    /** Fast shutdown; nothing to do when it is not running. */
    void stop(InstanceLayout layout);

    /** Fast shutdown within {@code timeout}, else killed with its children; whether the shutdown was clean. */
    boolean stopOrKill(InstanceLayout layout, Duration timeout);

    /** SIGKILL of the instance and its children (fencing an old primary), crash leftovers cleared. */
    void kill(InstanceLayout layout);

    /** Removes what a crashed instance left behind (orphans, stale pid file, socket locks) so it can start. */
    void clearCrashLeftovers(InstanceLayout layout);

    void reload(InstanceLayout layout);

    /** {@code pg_ctl promote -w}. */
    void promote(InstanceLayout layout);

    /** Demote: the instance starts as a standby. */
    void writeStandbySignal(InstanceLayout layout);

    void removeStandbySignal(InstanceLayout layout);

    /** Stops the instance and removes it with its data. */
    void remove(InstanceLayout layout);

    /** Removes what is left of a deleted cluster on this backend (its instances are stopped already). */
    void removeCluster(String cluster);

    // ---- SQL, from the control plane to the instance's host:port -------------------------------

    /** The SQL client of the control plane (TLS, servers verified against the platform CA). */
    InstanceSql sql();

    /** Promotion over one SQL connection, polled until it accepts writes; SQLException when it cannot be asked. */
    default InstanceSql.Role promoteOverSql(InstanceEndpoint instance, Credentials superuser, Duration timeout) throws SQLException {
        return sql().promoteOverSql(instance.host(), instance.port(), superuser, timeout);
    }

    default InstanceSql.Role role(InstanceEndpoint instance, Credentials superuser) throws SQLException {
        return sql().role(instance.host(), instance.port(), superuser);
    }

    /** The highest LSN a standby has, received or replayed. */
    default long receivedLsn(InstanceEndpoint instance, Credentials superuser) throws SQLException {
        return sql().receivedLsn(instance.host(), instance.port(), superuser);
    }

    /** Forces the first checkpoint after a promotion so that pg_rewind sees the new timeline. */
    default void checkpointIfTimelineNotRecorded(InstanceEndpoint instance, Credentials superuser) throws SQLException {
        sql().checkpointIfTimelineNotRecorded(instance.host(), instance.port(), superuser);
    }

    /** Creates what is missing among the replication role, the owner role and the application database. */
    default void ensureDatabase(InstanceEndpoint primary, ClusterDefinition cluster, Credentials superuser, Credentials replication,
                                Credentials owner) {
        sql().ensureDatabase(primary.host(), primary.port(), cluster, superuser, replication, owner);
    }

    /** Settings in the files that the running server could not apply (they need a restart). */
    default List<String> pendingRestart(InstanceEndpoint instance, Credentials superuser) {
        return sql().pendingRestart(instance.host(), instance.port(), superuser);
    }

    /** A SQL session (TLS, server verified against the platform CA). */
    default Connection connect(InstanceEndpoint instance, String database, Credentials credentials) throws SQLException {
        return sql().connect(instance.host(), instance.port(), database, credentials);
    }
}
