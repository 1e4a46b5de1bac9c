package io.pgpilot.model;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A validated cluster with every default filled in: what the services act on. Built only by
 * {@link ManifestValidator}, so holding one means the manifest was accepted.
 */
public record ClusterDefinition(String name, int instances, Map<String, String> parameters,
                                SynchronousReplication synchronous, String storageSize,
                                BackupDefinition backup, int failoverDelaySeconds,
                                String database, String owner, RecoveryDefinition recovery, TlsDefinition tls,
                                String primaryUpdateMethod, List<RoleDefinition> roles, boolean hibernated) {

    /** CloudNativePG's hibernation annotation: {@code on} stops every instance, keeping data and backups. */
    public static final String HIBERNATION = "cnpg.io/hibernation";

    public ClusterDefinition {
        roles = roles == null ? List.of() : List.copyOf(roles);
        tls = tls == null ? TlsDefinition.DEFAULT : tls;
        // CloudNativePG's default
        primaryUpdateMethod = primaryUpdateMethod == null ? "switchover" : primaryUpdateMethod;
    }

    /** Without managed roles. */
    public ClusterDefinition(String name, int instances, Map<String, String> parameters,
                             SynchronousReplication synchronous, String storageSize,
                             BackupDefinition backup, int failoverDelaySeconds,
                             String database, String owner, RecoveryDefinition recovery, TlsDefinition tls,
                             String primaryUpdateMethod) {
        this(name, instances, parameters, synchronous, storageSize, backup, failoverDelaySeconds, database, owner, recovery, tls,
                primaryUpdateMethod, List.of(), false);
    }

    /** Without {@code tls} and {@code primaryUpdateMethod}: the defaults. */
    public ClusterDefinition(String name, int instances, Map<String, String> parameters,
                             SynchronousReplication synchronous, String storageSize,
                             BackupDefinition backup, int failoverDelaySeconds,
                             String database, String owner, RecoveryDefinition recovery) {
        this(name, instances, parameters, synchronous, storageSize, backup, failoverDelaySeconds, database, owner, recovery, null,
                null);
    }

    public ClusterDefinition(String name, int instances, Map<String, String> parameters,
                             SynchronousReplication synchronous, String storageSize,
                             BackupDefinition backup, int failoverDelaySeconds,
                             String database, String owner) {
        this(name, instances, parameters, synchronous, storageSize, backup, failoverDelaySeconds, database, owner, null, null, null);
    }

    /**
     * {@code spec.certificates}: TLS is always on; {@code requireTls} also refuses plain-text
     * application connections (pg_hba {@code hostnossl ... reject}); {@code serverAltDnsNames}
     * are added to every server certificate's subject alternative names.
     */
    public record TlsDefinition(boolean requireTls, List<String> serverAltDnsNames) {
        public static final TlsDefinition DEFAULT = new TlsDefinition(false, List.of());

        public TlsDefinition {
            serverAltDnsNames = serverAltDnsNames == null ? List.of() : List.copyOf(serverAltDnsNames);
        }
    }

    public boolean requireTls() {
        return tls.requireTls();
    }

    public List<String> serverAltDnsNames() {
        return tls.serverAltDnsNames();
    }

    public List<String> instanceNames() {
        return IntStream.rangeClosed(1, instances).mapToObj(i -> Names.instanceName(name, i)).toList();
    }

    /** {@code ANY n} (quorum) or {@code FIRST n}; {@code number == 0} means asynchronous. */
    public record SynchronousReplication(Method method, int number) {
        public enum Method { ANY, FIRST }

        public static final SynchronousReplication ASYNC = new SynchronousReplication(Method.ANY, 0);

        /** The value for synchronous_standby_names given the standbys that exist. */
        public String standbyNames(List<String> standbys) {
            if (number == 0 || standbys.isEmpty()) {
                return "";
            }
            String list = String.join(",", standbys.stream().map(s -> "\"" + s + "\"").toList());
            return method + " " + Math.min(number, standbys.size()) + " (" + list + ")";
        }
    }

    /**
     * @param target   where base backups are taken: {@code prefer-standby} (the default, as CloudNativePG) or {@code primary}
     * @param schedule a 6-field cron expression (seconds first) for scheduled base backups; null: on demand only
     */
    public record BackupDefinition(String bucket, String prefix, String endpointUrl, String serverName,
                                   ClusterManifest.S3Credentials credentials, String walCompression,
                                   String walEncryption, String dataCompression, String retentionPolicy,
                                   String dataEncryption, String target, String schedule, Integer walMaxParallel) {

        /** {@code wal.maxParallel} not given: one segment at a time (as CloudNativePG). */
        public BackupDefinition(String bucket, String prefix, String endpointUrl, String serverName,
                                ClusterManifest.S3Credentials credentials, String walCompression,
                                String walEncryption, String dataCompression, String retentionPolicy,
                                String dataEncryption, String target, String schedule) {
            this(bucket, prefix, endpointUrl, serverName, credentials, walCompression, walEncryption, dataCompression,
                    retentionPolicy, dataEncryption, target, schedule, null);
        }

        /** How many WAL segments an instance archives at once ({@code wal.maxParallel}, default 1). */
        public int walParallelism() {
            return walMaxParallel == null ? 1 : walMaxParallel;
        }

        public BackupDefinition(String bucket, String prefix, String endpointUrl, String serverName,
                                ClusterManifest.S3Credentials credentials, String walCompression,
                                String walEncryption, String dataCompression, String retentionPolicy) {
            this(bucket, prefix, endpointUrl, serverName, credentials, walCompression, walEncryption, dataCompression,
                    retentionPolicy, null, "prefer-standby", null);
        }
    }

    /**
     * {@code bootstrap.recovery}: instance 1 is restored from a base backup of the external cluster
     * {@code source} (its object store in {@code store}) and replays its WAL up to {@code target}.
     *
     * @param backupId the base backup to start from; null: the latest one that ends before the target
     */
    public record RecoveryDefinition(String source, BackupDefinition store, String backupId, RecoveryTarget target) {
    }

    /**
     * Where recovery stops; at most one of time, LSN, name or immediate (none: the end of the
     * archived WAL). {@code time} is normalised to UTC; {@code inclusive} false stops just before the target.
     */
    public record RecoveryTarget(java.time.Instant time, String lsn, String name, boolean immediate, boolean inclusive) {

        public static final RecoveryTarget END_OF_WAL = new RecoveryTarget(null, null, null, false, true);

        public boolean endOfWal() {
            return time == null && lsn == null && name == null && !immediate;
        }
    }
}
