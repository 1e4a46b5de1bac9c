package io.pgpilot.backup;

import io.pgpilot.support.security.SecretFiles;
import io.pgpilot.backup.ArchiveStatus.Transition;
import io.pgpilot.backup.WalArchive.ArchiveOutcome;
import io.pgpilot.backup.WalArchive.Conflict;
import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WAL archive of every cluster with a backup plan: one S3 client per plan (rebuilt when the
 * plan changes), credentials read from the secret files on use (rotation needs no restart, values
 * are never logged), per-cluster archiving status and the failing/recovered events.
 */
@Service
public class WalService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WalService.class);
    private static final String SOURCE = "backup-service";

    /** The plan a store was built for and the store. */
    private record Client(BackupPlan plan, S3ObjectStore store) {
    }

    /** No backup plan for the cluster (no spec.backup, or the spec is unknown). */
    public static final class NoPlanException extends RuntimeException {
        NoPlanException(String cluster) {
            super("cluster " + cluster + " has no backup configuration");
        }
    }

    private final BackupCatalog catalog;
    private final BackupProperties properties;
    private final SecretFiles secrets;
    private final EventBus bus;
    private final Clock clock = Clock.systemUTC();
    private final WalArchive archive;

    WalArchive walArchive() {
        return archive;
    }

    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, ArchiveStatus> status = new ConcurrentHashMap<>();

    WalService(BackupCatalog catalog, BackupProperties properties, PlatformProperties platform, EventBus bus) {
        this.catalog = catalog;
        this.properties = properties;
        this.secrets = new SecretFiles(platform.home());
        this.bus = bus;
        this.archive = new WalArchive(clock, properties.kmsKeyId());
    }

    public ArchiveOutcome archive(String cluster, WalFileName wal, byte[] content) {
        BackupPlan plan = plan(cluster);
        ArchiveStatus state = status.computeIfAbsent(cluster, ArchiveStatus::new);
        ArchiveOutcome outcome;
        try {
            outcome = archive.archive(store(plan), plan, wal, content, encryption(plan));
        } catch (RuntimeException e) {
            failed(cluster, state, wal, e.getMessage(), false);
            throw e;
        }
        if (outcome instanceof Conflict conflict) {
            failed(cluster, state, wal, conflict.reason(), true);
        } else {
            state.success(clock.instant(), wal.name(), outcome instanceof WalArchive.AlreadyArchived)
                    .ifPresent(t -> transition(cluster, t, state, wal.name()));
        }
        return outcome;
    }

    public Optional<byte[]> restore(String cluster, WalFileName wal) {
        BackupPlan plan = plan(cluster);
        return archive.restore(store(plan), plan, wal, encryption(plan));
    }

    public List<ArchiveStatus.Snapshot> status() {
        return status.values().stream().map(ArchiveStatus::snapshot)
                .sorted(java.util.Comparator.comparing(ArchiveStatus.Snapshot::cluster)).toList();
    }

    public Optional<ArchiveStatus.Snapshot> status(String cluster) {
        return Optional.ofNullable(status.get(cluster)).map(ArchiveStatus::snapshot);
    }

    private void failed(String cluster, ArchiveStatus state, WalFileName wal, String reason, boolean conflict) {
        log.warn("cluster={} archiving {} failed: {}", cluster, wal, reason);
        state.failure(clock.instant(), reason, conflict).ifPresent(t -> transition(cluster, t, state, wal.name()));
    }

    private void transition(String cluster, Transition transition, ArchiveStatus state, String wal) {
        ArchiveStatus.Snapshot s = state.snapshot();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("wal", wal);
        data.put("failedCount", s.failed());
        data.put("archivedCount", s.archived());
        if (transition == Transition.FAILING) {
            data.put("reason", String.valueOf(s.lastFailure()));
            log.error("cluster={} WAL archiving is failing: {}", cluster, s.lastFailure());
        } else {
            log.info("cluster={} WAL archiving recovered with {}", cluster, wal);
        }
        String type = transition == Transition.FAILING ? "archiving.failing" : "archiving.recovered";
        try {
            bus.publish(Topics.EVENTS, cluster, PlatformEvent.of(SOURCE, type, cluster, null, data));
        } catch (RuntimeException e) {
            log.warn("cluster={} event {} not published: {}", cluster, type, e.getMessage());
        }
    }

    BackupPlan plan(String cluster) {
        BackupPlan plan = catalog.plan(cluster);
        if (plan == null) {
            throw new NoPlanException(cluster);
        }
        return plan;
    }

    /** The S3 client of a plan (one per cluster and store; rebuilt when the plan changes). */
    S3ObjectStore store(BackupPlan plan) {
        String id = plan.cluster() + "|" + plan.bucket() + "|" + plan.serverPrefix();
        Client client = clients.compute(id, (c, current) -> {
            if (current != null && current.plan().equals(plan)) {
                return current;
            }
            if (current != null) {
                current.store().close();
            }
            String endpoint = plan.endpointUrl() != null ? plan.endpointUrl() : properties.defaultEndpointUrl();
            if (endpoint == null) {
                // never guess a public endpoint: the manifest or the service configuration must name one
                throw new ObjectStore.StoreException(ObjectStore.StoreException.Reason.UNREACHABLE,
                        "no S3 endpoint: set spec.backup.barmanObjectStore.endpointURL or pgpilot.backup.default-endpoint-url", null);
            }
            log.info("cluster={} S3 client for {} (bucket {})", plan.cluster(), endpoint, plan.bucket());
            return new Client(plan, new S3ObjectStore(endpoint, region(plan), credentials(plan), properties.s3Timeout()));
        });
        return client.store();
    }

    private String region(BackupPlan plan) {
        var ref = plan.credentials() == null ? null : plan.credentials().region();
        return ref == null ? properties.region() : secrets.userValue(ref.name(), ref.key());
    }

    /** Reads the secret files at each use: rotated keys apply without a restart. */
    private AwsCredentialsProvider credentials(BackupPlan plan) {
        var refs = plan.credentials();
        if (refs == null || Boolean.TRUE.equals(refs.inheritFromIAMRole())) {
            // environment only: no instance-metadata lookups from here
            return EnvironmentVariableCredentialsProvider.create();
        }
        return () -> {
            String id = secrets.userValue(refs.accessKeyId().name(), refs.accessKeyId().key());
            String secret = secrets.userValue(refs.secretAccessKey().name(), refs.secretAccessKey().key());
            AwsCredentials credentials = refs.sessionToken() == null ? AwsBasicCredentials.create(id, secret)
                    : AwsSessionCredentials.create(id, secret, secrets.userValue(refs.sessionToken().name(), refs.sessionToken().key()));
            return credentials;
        };
    }

    /** The client-side encryption of a plan; null when it has none. */
    ClientEncryption encryption(BackupPlan plan) {
        if (plan.encryptionSecret() == null) {
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secrets.userValue(plan.encryptionSecret(), BackupPlan.ENCRYPTION_KEY).trim());
        } catch (IllegalArgumentException e) {
            throw new SecretFiles.SecretException(SecretFiles.SecretException.Reason.UNREADABLE,
                    "secret " + plan.encryptionSecret() + ": " + BackupPlan.ENCRYPTION_KEY + " is not base64");
        }
        if (key.length != ClientEncryption.KEY_BYTES) {
            throw new SecretFiles.SecretException(SecretFiles.SecretException.Reason.UNREADABLE,
                    "secret " + plan.encryptionSecret() + ": " + BackupPlan.ENCRYPTION_KEY + " must be 32 bytes (base64)");
        }
        return new ClientEncryption(key);
    }

    @Override
    public void close() {
        clients.values().forEach(c -> c.store().close());
    }
}
