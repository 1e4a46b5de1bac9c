package io.pgpilot.model;

import io.pgpilot.model.ClusterDefinition.BackupDefinition;
import io.pgpilot.model.ClusterDefinition.RecoveryDefinition;
import io.pgpilot.model.ClusterDefinition.RecoveryTarget;
import io.pgpilot.model.ClusterDefinition.SynchronousReplication;
import io.pgpilot.model.ClusterManifest.ClusterSpec;
import io.pgpilot.model.ClusterManifest.SecretKeySelector;
import io.pgpilot.model.ManifestException.Violation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a parsed manifest and resolves its defaults. Pure: no I/O, all violations at once. */
public final class ManifestValidator {

    public static final int MAX_INSTANCES = 9;
    /** 64 TiB: above any volume this platform places on one machine, below any overflow. */
    public static final long MAX_STORAGE_BYTES = 64L << 40;
    public static final int MAX_EXTERNAL_CLUSTERS = 8;

    private static final Pattern QUANTITY = Pattern.compile("[1-9][0-9]{0,8}(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?");
    private static final Pattern RETENTION = Pattern.compile("[1-9][0-9]{0,3}[dwm]");
    private static final Pattern S3_PATH = Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[-a-zA-Z0-9_./]*)?");
    private static final Pattern URL = Pattern.compile("https?://[-a-zA-Z0-9.:\\[\\]]+(/[-a-zA-Z0-9_./]*)?");
    private static final Set<String> COMPRESSIONS = Set.of("gzip", "bzip2", "snappy", "lz4", "xz", "zstd");
    private static final Set<String> ENCRYPTIONS = Set.of("AES256", "aws:kms");

    private ManifestValidator() {
    }

    public static ClusterDefinition parseAndValidate(String text) {
        return validate(ManifestParser.parse(text));
    }

    public static ClusterDefinition validate(ClusterManifest manifest) {
        List<Violation> violations = new ArrayList<>();
        if (!ClusterManifest.API_VERSION.equals(manifest.apiVersion())) {
            violations.add(new Violation("apiVersion", "must be " + ClusterManifest.API_VERSION));
        }
        if (!ClusterManifest.KIND.equals(manifest.kind())) {
            violations.add(new Violation("kind", "must be " + ClusterManifest.KIND));
        }
        String name = manifest.name();
        if (manifest.metadata() == null || name == null) {
            violations.add(new Violation("metadata.name", "is required"));
        } else if (!Names.CLUSTER.matcher(name).matches()) {
            violations.add(new Violation("metadata.name", "'" + Names.printable(name)
                    + "' is not a valid cluster name (lower-case letters, digits and '-', starting with a letter, at most 50 characters)"));
        }
        ClusterSpec spec = manifest.spec();
        if (spec == null) {
            violations.add(new Violation("spec", "is required"));
            throw new ManifestException(violations);
        }
        int instances = spec.instances() == null ? 1 : spec.instances();
        if (instances < 1 || instances > MAX_INSTANCES) {
            violations.add(new Violation("spec.instances", "must be between 1 and " + MAX_INSTANCES + ", got " + instances));
        }
        Map<String, String> parameters = parameters(spec, violations);
        SynchronousReplication synchronous = synchronous(spec, instances, violations);
        String size = null;
        if (spec.storage() != null) {
            size = spec.storage().size();
            if (size != null && !QUANTITY.matcher(size).matches()) {
                violations.add(new Violation("spec.storage.size", "'" + Names.printable(size) + "' is not a quantity like 20Gi"));
            } else if (size != null && bytes(size) > MAX_STORAGE_BYTES) {
                violations.add(new Violation("spec.storage.size", "'" + size + "' is more than the 64Ti a cluster may ask for"));
            }
            String storageClass = spec.storage().storageClass();
            if (storageClass != null && !Names.SECRET.matcher(storageClass).matches()) {
                violations.add(new Violation("spec.storage.storageClass", "'" + Names.printable(storageClass) + "' is not a valid name"));
            }
        }
        BackupDefinition backup = backup(spec, name, violations);
        int failoverDelay = spec.failoverDelay() == null ? 0 : spec.failoverDelay();
        if (failoverDelay < 0 || failoverDelay > 3600) {
            violations.add(new Violation("spec.failoverDelay", "must be between 0 and 3600 seconds"));
        }
        if (spec.switchoverDelay() != null && spec.switchoverDelay() < 0) {
            violations.add(new Violation("spec.switchoverDelay", "must not be negative"));
        }
        check(spec.primaryUpdateStrategy(), Set.of("unsupervised", "supervised"), "spec.primaryUpdateStrategy", violations);
        check(spec.primaryUpdateMethod(), Set.of("switchover", "restart"), "spec.primaryUpdateMethod", violations);
        String database = "app";
        String owner = "app";
        if (spec.bootstrap() != null && spec.bootstrap().initdb() != null) {
            var initdb = spec.bootstrap().initdb();
            database = identifier(initdb.database(), "app", "spec.bootstrap.initdb.database", violations);
            owner = identifier(initdb.owner(), database, "spec.bootstrap.initdb.owner", violations);
        }
        if (spec.bootstrap() != null && spec.bootstrap().initdb() != null && spec.bootstrap().recovery() != null) {
            violations.add(new Violation("spec.bootstrap", "choose one of initdb or recovery"));
        }
        RecoveryDefinition recovery = recovery(spec, name, backup, violations);
        ClusterDefinition.TlsDefinition tls = certificates(spec, violations);
        List<RoleDefinition> roles = ManagedRolesValidator.validate(spec.managed(), owner, violations);
        boolean hibernated = false;
        var annotations = manifest.metadata() == null ? null : manifest.metadata().annotations();
        String hibernation = annotations == null ? null : annotations.get(ClusterDefinition.HIBERNATION);
        if (hibernation != null) {
            switch (hibernation) {
                case "on" -> hibernated = true;
                case "off" -> hibernated = false;
                default -> violations.add(new Violation("metadata.annotations." + ClusterDefinition.HIBERNATION, "must be 'on' or 'off'"));
            }
        }
        if (!violations.isEmpty()) {
            throw new ManifestException(violations);
        }
        return new ClusterDefinition(name, instances, parameters, synchronous, size == null ? "1Gi" : size,
                backup, failoverDelay, database, owner, recovery, tls,
                spec.primaryUpdateMethod() == null ? "switchover" : spec.primaryUpdateMethod(), roles, hibernated);
    }

    /** At most this many extra DNS names in {@code spec.certificates.serverAltDNSNames}. */
    public static final int MAX_ALT_DNS_NAMES = 20;
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

    private static ClusterDefinition.TlsDefinition certificates(ClusterSpec spec, List<Violation> violations) {
        var certificates = spec.certificates();
        if (certificates == null) {
            return ClusterDefinition.TlsDefinition.DEFAULT;
        }
        List<String> names = certificates.serverAltDNSNames() == null ? List.of() : certificates.serverAltDNSNames();
        if (names.size() > MAX_ALT_DNS_NAMES) {
            violations.add(new Violation("spec.certificates.serverAltDNSNames", "at most " + MAX_ALT_DNS_NAMES + " names, got " + names.size()));
        }
        for (int i = 0; i < Math.min(names.size(), MAX_ALT_DNS_NAMES); i++) {
            String n = names.get(i);
            if (n == null || !DNS_NAME.matcher(n).matches()) {
                violations.add(new Violation("spec.certificates.serverAltDNSNames[" + i + "]",
                        "'" + Names.printable(n) + "' is not a lower-case DNS name"));
            }
        }
        return new ClusterDefinition.TlsDefinition(Boolean.TRUE.equals(certificates.requireTls()), names);
    }

    private static Map<String, String> parameters(ClusterSpec spec, List<Violation> violations) {
        Map<String, String> result = new LinkedHashMap<>();
        if (spec.postgresql() == null || spec.postgresql().parameters() == null) {
            return result;
        }
        var given = spec.postgresql().parameters();
        if (given.size() > PostgresParameters.MAX_PARAMETERS) {
            violations.add(new Violation("spec.postgresql.parameters", "at most " + PostgresParameters.MAX_PARAMETERS
                    + " parameters, got " + given.size()));
            return result;
        }
        Set<String> seen = new java.util.HashSet<>();
        given.forEach((key, value) -> {
            String field = "spec.postgresql.parameters." + Names.printable(key);
            var refusal = PostgresParameters.refusal(key, value);
            if (refusal.isPresent()) {
                violations.add(new Violation(field, refusal.get()));
            } else if (!seen.add(key.toLowerCase(Locale.ROOT))) {
                violations.add(new Violation(field, "is set twice (PostgreSQL parameter names ignore case)"));
            } else {
                result.put(key, value);
            }
        });
        return result;
    }

    /** A quantity matching {@code QUANTITY} in bytes, saturating at Long.MAX_VALUE. */
    static long bytes(String quantity) {
        int unit = 0;
        while (unit < quantity.length() && Character.isDigit(quantity.charAt(unit))) {
            unit++;
        }
        java.math.BigInteger factor = switch (quantity.substring(unit)) {
            case "Ki" -> java.math.BigInteger.TWO.pow(10);
            case "Mi" -> java.math.BigInteger.TWO.pow(20);
            case "Gi" -> java.math.BigInteger.TWO.pow(30);
            case "Ti" -> java.math.BigInteger.TWO.pow(40);
            case "Pi" -> java.math.BigInteger.TWO.pow(50);
            case "k" -> java.math.BigInteger.TEN.pow(3);
            case "M" -> java.math.BigInteger.TEN.pow(6);
            case "G" -> java.math.BigInteger.TEN.pow(9);
            case "T" -> java.math.BigInteger.TEN.pow(12);
            case "P" -> java.math.BigInteger.TEN.pow(15);
            default -> java.math.BigInteger.ONE;
        };
        java.math.BigInteger result = new java.math.BigInteger(quantity.substring(0, unit)).multiply(factor);
        return result.bitLength() < 63 ? result.longValue() : Long.MAX_VALUE;
    }

    private static SynchronousReplication synchronous(ClusterSpec spec, int instances, List<Violation> violations) {
        var sync = spec.postgresql() == null ? null : spec.postgresql().synchronous();
        if (sync == null) {
            return instances > 1 ? new SynchronousReplication(SynchronousReplication.Method.ANY, 1) : SynchronousReplication.ASYNC;
        }
        SynchronousReplication.Method method = SynchronousReplication.Method.ANY;
        if (sync.method() != null) {
            switch (sync.method()) {
                case "any" -> method = SynchronousReplication.Method.ANY;
                case "first" -> method = SynchronousReplication.Method.FIRST;
                default -> violations.add(new Violation("spec.postgresql.synchronous.method", "must be 'any' or 'first'"));
            }
        }
        int number = sync.number() == null ? 1 : sync.number();
        if (number < 0 || number > Math.max(0, instances - 1)) {
            violations.add(new Violation("spec.postgresql.synchronous.number",
                    "must be between 0 and the number of replicas (" + (instances - 1) + ")"));
        }
        return new SynchronousReplication(method, number);
    }

    private static BackupDefinition backup(ClusterSpec spec, String clusterName, List<Violation> violations) {
        var backup = spec.backup();
        if (backup == null) {
            return null;
        }
        if (backup.retentionPolicy() != null && !RETENTION.matcher(backup.retentionPolicy()).matches()) {
            violations.add(new Violation("spec.backup.retentionPolicy", "'" + Names.printable(backup.retentionPolicy())
                    + "' is not a window like 30d, 4w or 6m"));
        }
        check(backup.target(), Set.of("primary", "prefer-standby"), "spec.backup.target", violations);
        if (backup.schedule() != null) {
            try {
                CronSchedule.parse(backup.schedule());
            } catch (IllegalArgumentException e) {
                violations.add(new Violation("spec.backup.schedule", e.getMessage()));
            }
        }
        var store = backup.barmanObjectStore();
        if (store == null) {
            violations.add(new Violation("spec.backup.barmanObjectStore", "is required when spec.backup is set"));
            return null;
        }
        BackupDefinition definition = store(store, "spec.backup.barmanObjectStore", clusterName, violations);
        return new BackupDefinition(definition.bucket(), definition.prefix(), definition.endpointUrl(), definition.serverName(),
                definition.credentials(), definition.walCompression(), definition.walEncryption(), definition.dataCompression(),
                backup.retentionPolicy(), definition.dataEncryption(), backup.target() == null ? "prefer-standby" : backup.target(),
                backup.schedule(), definition.walMaxParallel());
    }

    /** A barmanObjectStore (of spec.backup or of an external cluster); {@code serverName} defaults to {@code defaultServerName}. */
    private static BackupDefinition store(ClusterManifest.BarmanObjectStore store, String field, String defaultServerName,
                                          List<Violation> violations) {
        String bucket = null;
        String prefix = "";
        if (store.destinationPath() == null) {
            violations.add(new Violation(field + ".destinationPath", "is required"));
        } else {
            var matcher = S3_PATH.matcher(store.destinationPath());
            if (!matcher.matches() || store.destinationPath().contains("..") || store.destinationPath().indexOf("//", 5) >= 0) {
                violations.add(new Violation(field + ".destinationPath",
                        "'" + Names.printable(store.destinationPath()) + "' is not an s3://bucket/path/ URL"));
            } else {
                bucket = matcher.group(1);
                prefix = matcher.group(2) == null ? "" : matcher.group(2).replaceAll("^/+|/+$", "");
            }
        }
        if (store.endpointURL() != null && !URL.matcher(store.endpointURL()).matches()) {
            violations.add(new Violation(field + ".endpointURL", "is not an http(s) URL"));
        }
        String serverName = store.serverName() == null ? defaultServerName : store.serverName();
        if (serverName != null && !Names.CLUSTER.matcher(serverName).matches()) {
            violations.add(new Violation(field + ".serverName", "is not a valid name"));
        }
        var credentials = store.s3Credentials();
        if (credentials == null) {
            violations.add(new Violation(field + ".s3Credentials", "is required"));
        } else if (!Boolean.TRUE.equals(credentials.inheritFromIAMRole())) {
            secretRef(credentials.accessKeyId(), field + ".s3Credentials.accessKeyId", true, violations);
            secretRef(credentials.secretAccessKey(), field + ".s3Credentials.secretAccessKey", true, violations);
            secretRef(credentials.region(), field + ".s3Credentials.region", false, violations);
            secretRef(credentials.sessionToken(), field + ".s3Credentials.sessionToken", false, violations);
        }
        String walCompression = null;
        String walEncryption = null;
        Integer walMaxParallel = null;
        if (store.wal() != null) {
            walMaxParallel = store.wal().maxParallel();
            walCompression = store.wal().compression();
            walEncryption = store.wal().encryption();
            check(walCompression, COMPRESSIONS, field + ".wal.compression", violations);
            check(walEncryption, ENCRYPTIONS, field + ".wal.encryption", violations);
            if (store.wal().maxParallel() != null && (store.wal().maxParallel() < 1 || store.wal().maxParallel() > 64)) {
                violations.add(new Violation(field + ".wal.maxParallel", "must be between 1 and 64"));
            }
        }
        String dataCompression = null;
        String dataEncryption = null;
        if (store.data() != null) {
            dataCompression = store.data().compression();
            dataEncryption = store.data().encryption();
            check(dataCompression, COMPRESSIONS, field + ".data.compression", violations);
            check(dataEncryption, ENCRYPTIONS, field + ".data.encryption", violations);
            if (store.data().jobs() != null && (store.data().jobs() < 1 || store.data().jobs() > 64)) {
                violations.add(new Violation(field + ".data.jobs", "must be between 1 and 64"));
            }
        }
        return new BackupDefinition(bucket, prefix, store.endpointURL(), serverName, credentials, walCompression,
                walEncryption, dataCompression, null, dataEncryption, "prefer-standby", null, walMaxParallel);
    }

    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
    private static final Pattern RESTORE_POINT = Pattern.compile("[-a-zA-Z0-9_.:]{1,63}");

    /**
     * {@code bootstrap.recovery} with its source among {@code externalClusters} (each with a
     * barmanObjectStore); at most one recovery target; backup ids, LSNs, names and times strictly checked.
     */
    private static RecoveryDefinition recovery(ClusterSpec spec, String clusterName, BackupDefinition ownBackup,
                                               List<Violation> violations) {
        Map<String, ClusterManifest.ExternalCluster> external = new LinkedHashMap<>();
        if (spec.externalClusters() != null && spec.externalClusters().size() > MAX_EXTERNAL_CLUSTERS) {
            violations.add(new Violation("spec.externalClusters", "at most " + MAX_EXTERNAL_CLUSTERS + " entries, got "
                    + spec.externalClusters().size()));
        } else if (spec.externalClusters() != null) {
            for (int i = 0; i < spec.externalClusters().size(); i++) {
                var ec = spec.externalClusters().get(i);
                String field = "spec.externalClusters[" + i + "]";
                if (ec == null || ec.name() == null || !Names.CLUSTER.matcher(ec.name()).matches()) {
                    violations.add(new Violation(field + ".name", "'" + Names.printable(ec == null ? null : ec.name())
                            + "' is not a valid cluster name"));
                } else if (external.put(ec.name(), ec) != null) {
                    violations.add(new Violation(field + ".name", "'" + ec.name() + "' is listed twice"));
                } else if (ec.barmanObjectStore() == null) {
                    violations.add(new Violation(field + ".barmanObjectStore", "is required (pgpilot recovers from object stores only)"));
                }
            }
        }
        var recovery = spec.bootstrap() == null ? null : spec.bootstrap().recovery();
        if (recovery == null) {
            return null;
        }
        String field = "spec.bootstrap.recovery";
        BackupDefinition store = null;
        if (recovery.source() == null) {
            violations.add(new Violation(field + ".source", "is required: the name of an entry of spec.externalClusters"));
        } else if (!external.containsKey(recovery.source())) {
            violations.add(new Violation(field + ".source", "'" + Names.printable(recovery.source())
                    + "' is not the name of an entry of spec.externalClusters"));
        } else if (external.get(recovery.source()).barmanObjectStore() != null) {
            int index = new ArrayList<>(external.keySet()).indexOf(recovery.source());
            store = store(external.get(recovery.source()).barmanObjectStore(), "spec.externalClusters[" + index + "].barmanObjectStore",
                    recovery.source(), violations);
            if (ownBackup != null && store.bucket() != null && store.bucket().equals(ownBackup.bucket())
                    && store.prefix().equals(ownBackup.prefix()) && store.serverName() != null
                    && store.serverName().equals(ownBackup.serverName())) {
                violations.add(new Violation("spec.backup.barmanObjectStore", "must not archive into the recovery source's "
                        + "own path (s3://" + store.bucket() + "/" + store.prefix() + "/" + store.serverName()
                        + "): give this cluster another serverName or destinationPath"));
            }
        }
        var target = recovery.recoveryTarget();
        String backupId = backupId(recovery.backupID(), field + ".backupID", violations);
        RecoveryTarget resolved = RecoveryTarget.END_OF_WAL;
        if (target != null) {
            String targetBackup = backupId(target.backupID(), field + ".recoveryTarget.backupID", violations);
            if (targetBackup != null) {
                if (backupId != null && !backupId.equals(targetBackup)) {
                    violations.add(new Violation(field + ".recoveryTarget.backupID", "differs from " + field + ".backupID"));
                }
                backupId = targetBackup;
            }
            int targets = (target.targetTime() == null ? 0 : 1) + (target.targetLSN() == null ? 0 : 1)
                    + (target.targetName() == null ? 0 : 1) + (Boolean.TRUE.equals(target.targetImmediate()) ? 1 : 0);
            if (targets > 1) {
                violations.add(new Violation(field + ".recoveryTarget",
                        "set at most one of targetTime, targetLSN, targetName and targetImmediate"));
            }
            java.time.Instant time = null;
            if (target.targetTime() != null) {
                try {
                    time = TargetTime.parse(target.targetTime());
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation(field + ".recoveryTarget.targetTime", e.getMessage()));
                }
            }
            String lsn = target.targetLSN();
            if (lsn != null && !LSN.matcher(lsn).matches()) {
                violations.add(new Violation(field + ".recoveryTarget.targetLSN", "'" + Names.printable(lsn) + "' is not an LSN like 0/3000060"));
                lsn = null;
            }
            String name = target.targetName();
            if (name != null && !RESTORE_POINT.matcher(name).matches()) {
                violations.add(new Violation(field + ".recoveryTarget.targetName", "'" + Names.printable(name)
                        + "' is not a restore point name (letters, digits, - _ . :, at most 63)"));
                name = null;
            }
            if (target.targetTLI() != null && !target.targetTLI().equals("latest")) {
                violations.add(new Violation(field + ".recoveryTarget.targetTLI", "only 'latest' is supported"));
            }
            resolved = new RecoveryTarget(time, lsn == null ? null : lsn.toUpperCase(Locale.ROOT), name,
                    Boolean.TRUE.equals(target.targetImmediate()), !Boolean.TRUE.equals(target.exclusive()));
        }
        return new RecoveryDefinition(recovery.source(), store, backupId, resolved);
    }

    private static String backupId(String value, String field, List<Violation> violations) {
        if (value != null && !BACKUP_ID.matcher(value).matches()) {
            violations.add(new Violation(field, "'" + Names.printable(value) + "' is not a backup id (YYYYMMDDTHHMMSS)"));
            return null;
        }
        return value;
    }

    /** barman's backup ids. */
    public static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{6}");

    private static void secretRef(SecretKeySelector ref, String field, boolean required, List<Violation> violations) {
        if (ref == null) {
            if (required) {
                violations.add(new Violation(field, "is required"));
            }
            return;
        }
        if (ref.name() == null || !Names.SECRET.matcher(ref.name()).matches()) {
            violations.add(new Violation(field + ".name", "'" + Names.printable(ref.name()) + "' is not a valid secret name"));
        } else if (Names.platformSecret(ref.name())) {
            violations.add(new Violation(field + ".name", "'" + ref.name() + "' is a secret generated by pgpilot (names ending in "
                    + "-app, -superuser, -replication, -ca, -server or -token, or starting with api-token or pgpilot-); "
                    + "reference a secret you created"));
        }
        if (ref.key() == null || !Names.SECRET_KEY.matcher(ref.key()).matches()) {
            violations.add(new Violation(field + ".key", "'" + Names.printable(ref.key()) + "' is not a valid secret key"));
        }
    }

    private static String identifier(String value, String fallback, String field, List<Violation> violations) {
        if (value == null) {
            return fallback;
        }
        if (!Names.SQL_IDENTIFIER.matcher(value).matches()) {
            violations.add(new Violation(field, "'" + Names.printable(value) + "' is not a valid identifier (lower-case, letters, digits, _)"));
            return fallback;
        }
        return value;
    }

    private static void check(String value, Set<String> allowed, String field, List<Violation> violations) {
        if (value != null && !allowed.contains(value)) {
            violations.add(new Violation(field, "'" + Names.printable(value) + "' is not one of " + allowed.stream().sorted().toList()));
        }
    }
}
