package io.pgpilot.instance.node;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the control plane asks of one node (host) about the PostgreSQL instances placed on it: the
 * file and process operations of an instance's lifecycle (initdb, join, rewind, restore,
 * configuration, start/stop/promote/demote, removal). SQL sessions are not here: the control plane
 * opens them itself to {@link #address()} and the instance's port, over TLS.
 *
 * <p>Implemented on the node by {@code LocalNodeOperations} (the instance manager's classes on this
 * host) and across the network by the node agent's client, so the provisioner's backend does not
 * care which. Failures are {@link io.pgpilot.instance.ProvisioningException}s (and
 * {@link io.pgpilot.instance.restore.RecoveryException}s for restores) naming the step; an
 * unreachable node is a ProvisioningException whose reason says a retry can help.
 */
public interface NodeOperations {

    /** The address other hosts reach this node's instances at (its PostgreSQL servers listen on it). */
    String address();

    // ---- observe -----------------------------------------------------------------------------

    List<String> clusters();

    List<Integer> ordinals(String cluster);

    Map<Integer, ObservedInstance> observe(String cluster);

    Map<Integer, MemberState> observeMembers(String cluster);

    boolean isRunning(InstanceRef instance);

    /** Null when the instance has no metadata (port) yet. */
    InstanceMetadata readMetadata(InstanceRef instance);

    int timeline(InstanceRef instance);

    long latestCheckpointLsn(InstanceRef instance);

    // ---- create, join, rewind, restore -------------------------------------------------------

    /** Creates the instance's place and assigns (once, persisted) a port free on this node. */
    InstanceMetadata prepare(InstanceRef instance);

    void initPrimary(InstanceRef instance, Credentials superuser);

    /** pg_basebackup from the primary at {@code primaryHost:primaryPort}, marked standby. */
    void cloneReplica(InstanceRef instance, String primaryHost, int primaryPort, Credentials replication);

    /** The replication password (for connections to {@code primaryHost}) where the WAL receiver reads it. */
    void writePassfile(InstanceRef instance, String primaryHost, Credentials replication);

    void rewind(InstanceRef instance, String primaryHost, int primaryPort, Credentials superuser);

    void restoreBaseBackup(InstanceRef instance, InputStream tar);

    void awaitPromotion(InstanceRef instance, Duration timeout);

    String recoveryLog(InstanceRef instance);

    void resetRolesAfterRecovery(InstanceRef instance, Credentials superuser, Credentials replication, Credentials owner);

    /** Immediate stop and removal of the data (a failed recovery). */
    void discard(InstanceRef instance);

    // ---- configuration, certificates, secrets ------------------------------------------------

    boolean writeConfig(InstanceRef instance, ManagedSettings settings, Map<String, String> parameters);

    boolean writeManagedConfig(InstanceRef instance, ManagedSettings settings);

    boolean writeClusterTls(String cluster, ClusterTls tls);

    /** The instance's current server certificate (PEM), null when it has none: the control plane decides renewal. */
    String serverCertificate(InstanceRef instance);

    /** Writes the TLS material the control plane issued (nothing is reloaded); true when a file changed. */
    boolean installCertificates(InstanceRef instance, CertificateBundle bundle);

    /** The cluster's token for the backup service (archive_command/restore_command), stored on this node only. */
    void writeClusterToken(String cluster, String token);

    /**
     * What the instance managers beside the cluster's instances on this node run with from now on
     * (incarnation, cluster size, the superuser of their local probe): a node agent runs one instance
     * manager per instance it holds once it has this, and restarts them when it changes. True when
     * it changed. The single-host form ignores it (the health monitor probes and fences there).
     */
    boolean writeManagerSpec(String cluster, ManagerSpec spec);

    // ---- process control ---------------------------------------------------------------------

    void start(InstanceRef instance);

    void stop(InstanceRef instance);

    boolean stopOrKill(InstanceRef instance, Duration timeout);

    void kill(InstanceRef instance);

    void clearCrashLeftovers(InstanceRef instance);

    void reload(InstanceRef instance);

    void promote(InstanceRef instance);

    void writeStandbySignal(InstanceRef instance);

    void removeStandbySignal(InstanceRef instance);

    void remove(InstanceRef instance);

    void removeCluster(String cluster);
}
