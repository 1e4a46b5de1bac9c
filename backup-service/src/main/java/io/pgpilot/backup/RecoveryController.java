package io.pgpilot.backup;

import io.pgpilot.support.security.SecretFiles;
import io.pgpilot.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the provisioner needs to bootstrap a cluster from another cluster's backups
 * ({@code bootstrap.recovery}; the source store comes from the cluster's own spec, so nothing
 * about the store travels in a request):
 * <ul>
 * <li>{@code GET /recovery/{cluster}}: the base backup to start from (422 with the reason when there is none)</li>
 * <li>{@code GET /recovery/{cluster}/backups/{backupId}/data}: its PGDATA as a plain tar, decrypted and
 *     decompressed while streaming (backups written by pgpilot or barman-cloud)</li>
 * <li>{@code GET /recovery/{cluster}/wal/{walName}}: a WAL file from the source's archive (the restore_command)</li>
 * </ul>
 */
@RestController
class RecoveryController {

    private static final Logger log = LoggerFactory.getLogger(RecoveryController.class);

    private final BackupCatalog catalog;
    private final WalService wal;

    RecoveryController(BackupCatalog catalog, WalService wal) {
        this.catalog = catalog;
        this.wal = wal;
    }

    @GetMapping("/recovery/{cluster}")
    ResponseEntity<Map<String, Object>> plan(@PathVariable String cluster) {
        BackupCatalog.RecoverySource source = source(cluster);
        BackupPlan plan = source.plan();
        String where = "s3://" + plan.bucket() + "/" + plan.serverPrefix();
        RecoveryPlanner.Plan chosen = RecoveryPlanner.choose(StoredBackups.list(wal.store(plan), plan), source.recovery().target(),
                source.recovery().backupId(), where);
        if (chosen instanceof RecoveryPlanner.Refused refused) {
            log.warn("cluster={} recovery refused: {}", cluster, refused.reason());
            return BaseBackupController.error(HttpStatus.UNPROCESSABLE_CONTENT, refused.reason());
        }
        BackupInfo info = ((RecoveryPlanner.Chosen) chosen).backup();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cluster", cluster);
        body.put("source", source.recovery().source());
        body.put("store", where);
        body.put("backupId", info.backupId());
        body.put("beginLsn", info.beginXlog());
        body.put("endLsn", info.endXlog());
        body.put("beginWal", info.beginWal());
        body.put("endWal", info.endWal());
        body.put("endTime", info.endTime());
        body.put("timeline", info.timeline());
        body.put("version", info.version());
        return ResponseEntity.ok(body);
    }

    /** A refusal of the data endpoint (its return type must stay the streaming body). */
    static final class DataException extends RuntimeException {
        final HttpStatus status;

        DataException(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    @ExceptionHandler(DataException.class)
    ResponseEntity<Map<String, Object>> dataRefused(DataException e) {
        return BaseBackupController.error(e.status, e.getMessage());
    }

    @GetMapping("/recovery/{cluster}/backups/{backupId}/data")
    ResponseEntity<StreamingResponseBody> data(@PathVariable String cluster, @PathVariable String backupId) throws IOException {
        BarmanLayout.requireBackupId(backupId);
        BackupPlan plan = source(cluster).plan();
        S3ObjectStore store = wal.store(plan);
        Optional<StoredBackups.Stored> stored = StoredBackups.find(store, plan, backupId);
        if (stored.isEmpty() || stored.get().data() == null) {
            throw new DataException(HttpStatus.NOT_FOUND, "backup " + backupId + " has no data in s3://" + plan.bucket() + "/"
                    + plan.serverPrefix());
        }
        BarmanLayout.StoredData data = stored.get().data();
        if (!data.compression().supported()) {
            throw new DataException(HttpStatus.UNPROCESSABLE_CONTENT, data.key() + " is " + data.compression().manifestName()
                    + "-compressed, which pgpilot cannot read");
        }
        ClientEncryption encryption = data.encrypted() ? wal.encryption(plan) : null;
        if (data.encrypted() && encryption == null) {
            throw new DataException(HttpStatus.UNPROCESSABLE_CONTENT, data.key() + " is encrypted and no key is configured");
        }
        InputStream raw = store.open(plan.bucket(), data.key()).orElse(null);
        if (raw == null) {
            throw new DataException(HttpStatus.NOT_FOUND, data.key() + " vanished");
        }
        log.info("cluster={} streaming backup {} ({}) for recovery", cluster, backupId, data.key());
        StreamingResponseBody body = out -> {
            InputStream in = raw;
            try {
                if (encryption != null) {
                    in = encryption.decrypting(in, backupId + "/data.tar");
                }
                in = data.compression().decompressing(in);
                in.transferTo(out);
            } finally {
                in.close();
            }
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-tar")).body(body);
    }

    @GetMapping("/recovery/{cluster}/wal/{walName}")
    ResponseEntity<?> wal(@PathVariable String cluster, @PathVariable String walName) {
        WalFileName name = WalFileName.parse(walName);
        BackupPlan plan = source(cluster).plan();
        return wal.walArchive().restore(wal.store(plan), plan, name, wal.encryption(plan))
                .<ResponseEntity<?>>map(bytes -> ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(bytes))
                .orElseGet(() -> BaseBackupController.error(HttpStatus.NOT_FOUND, name + " is not in the source's archive"));
    }

    private BackupCatalog.RecoverySource source(String cluster) {
        if (cluster == null || !Names.CLUSTER.matcher(cluster).matches()) {
            throw new InvalidNameException(InvalidNameException.Reason.WAL_NAME, "'" + Names.printable(cluster) + "' is not a cluster name");
        }
        BackupCatalog.RecoverySource source = catalog.recovery(cluster);
        if (source == null) {
            throw new WalService.NoPlanException(cluster);
        }
        return source;
    }

    @ExceptionHandler(InvalidNameException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidNameException e) {
        return BaseBackupController.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(WalService.NoPlanException.class)
    ResponseEntity<Map<String, Object>> noPlan(WalService.NoPlanException e) {
        return BaseBackupController.error(HttpStatus.NOT_FOUND, e.getMessage().replace("backup configuration", "recovery source"));
    }

    @ExceptionHandler({ObjectStore.StoreException.class, SecretFiles.SecretException.class})
    ResponseEntity<Map<String, Object>> unavailable(RuntimeException e) {
        return BaseBackupController.error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler({WalArchive.UnreadableException.class, UnsupportedOperationException.class})
    ResponseEntity<Map<String, Object>> unreadable(RuntimeException e) {
        return BaseBackupController.error(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }
}
