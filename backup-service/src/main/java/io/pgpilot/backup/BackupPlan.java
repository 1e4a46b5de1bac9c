package io.pgpilot.backup;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ClusterManifest.S3Credentials;
import io.pgpilot.model.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Where and how a cluster is backed up, derived (purely) from its definition. The object layout
 * follows barman-cloud: {@code s3://<bucket>/<prefix>/<serverName>/{base,wals}/...}.
 *
 * @param endpointUrl      the manifest's {@code endpointURL}; null: the backup service's default endpoint
 * @param walEncryption    server-side encryption of WAL objects: {@code AES256}, {@code aws:kms} or null
 * @param encryptionSecret secret holding the client-side encryption key ({@value #ENCRYPTION_KEY}), from the
 *                         annotation {@value #ENCRYPTION_ANNOTATION}; null: no client-side encryption
 */
public record BackupPlan(String cluster, String bucket, String serverPrefix, String walCompression,
                         Duration recoveryWindow, String endpointUrl, S3Credentials credentials, String walEncryption,
                         String encryptionSecret, String dataCompression, String dataEncryption, String target,
                         String schedule) {

    public BackupPlan(String cluster, String bucket, String serverPrefix, String walCompression, Duration recoveryWindow,
                      String endpointUrl, S3Credentials credentials, String walEncryption, String encryptionSecret) {
        this(cluster, bucket, serverPrefix, walCompression, recoveryWindow, endpointUrl, credentials, walEncryption, encryptionSecret,
                "none", null, "prefer-standby", null);
    }

    public static final String ENCRYPTION_ANNOTATION = "pgpilot.io/backup-encryption-secret";
    public static final String ENCRYPTION_KEY = "ENCRYPTION_KEY";

    public static BackupPlan of(ClusterDefinition cluster) {
        return of(cluster, Map.of());
    }

    /** With the manifest's annotations (client-side encryption); an invalid secret name is refused, never ignored. */
    public static BackupPlan of(ClusterDefinition cluster, Map<String, String> annotations) {
        var backup = cluster.backup();
        if (backup == null) {
            return null;
        }
        return of(cluster.name(), backup, annotations);
    }

    /**
     * The plan of one object store: a cluster's own ({@code spec.backup}) or, for a recovery, the
     * source's ({@code externalClusters[].barmanObjectStore}, read only).
     */
    public static BackupPlan of(String cluster, io.pgpilot.model.ClusterDefinition.BackupDefinition backup,
                                Map<String, String> annotations) {
        String secret = annotations == null ? null : annotations.get(ENCRYPTION_ANNOTATION);
        if (secret != null && !Names.SECRET.matcher(secret).matches()) {
            throw new IllegalArgumentException("annotation " + ENCRYPTION_ANNOTATION + ": '" + Names.printable(secret)
                    + "' is not a valid secret name");
        }
        String prefix = backup.prefix().isEmpty() ? backup.serverName() : backup.prefix() + "/" + backup.serverName();
        return new BackupPlan(cluster, backup.bucket(), prefix,
                backup.walCompression() == null ? "none" : backup.walCompression(), window(backup.retentionPolicy()),
                backup.endpointUrl(), backup.credentials(), backup.walEncryption(), secret,
                backup.dataCompression() == null ? "none" : backup.dataCompression(), backup.dataEncryption(),
                backup.target() == null ? "prefer-standby" : backup.target(), backup.schedule());
    }

    /** Compression of base backups ({@code data.compression}). */
    public Compression dataCompressionCodec() {
        return Compression.fromManifest(dataCompression);
    }

    public BarmanLayout layout() {
        return new BarmanLayout(serverPrefix);
    }

    public Compression compression() {
        return Compression.fromManifest(walCompression);
    }

    /**
     * Object-lock retention of an object written at {@code objectTime}: the end of the recovery
     * window (an object can be needed for a recovery until then); null when there is no window.
     * Rounded up to the next second (S3 dates have second precision).
     */
    public Instant retainUntil(Instant objectTime) {
        return retainUntil(objectTime, recoveryWindow);
    }

    public static Instant retainUntil(Instant objectTime, Duration window) {
        if (window == null) {
            return null;
        }
        Instant end = objectTime.plus(window);
        return end.getNano() == 0 ? end : end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
    }

    /** "30d", "4w", "6m" (months of 30 days, as barman counts them) to a duration; null = keep forever. */
    static Duration window(String policy) {
        if (policy == null) {
            return null;
        }
        long n = Long.parseLong(policy.substring(0, policy.length() - 1));
        return switch (policy.charAt(policy.length() - 1)) {
            case 'd' -> Duration.ofDays(n);
            case 'w' -> Duration.ofDays(7 * n);
            case 'm' -> Duration.ofDays(30 * n);
            default -> throw new IllegalArgumentException("not a retention window: " + policy);
        };
    }
}
