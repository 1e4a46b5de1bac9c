package io.pgpilot.backup;

import io.pgpilot.support.security.SecretFiles;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base backups of a cluster: {@code POST /backups/{cluster}} starts one (202 with its id; {@code ?target=primary|prefer-standby}
 * overrides the cluster's {@code backup.target}; 409 when
 * one is running or no instance can be backed up), {@code GET /backups/{cluster}} lists running and
 * stored ones, {@code GET /backups/{cluster}/{backupId}} one of them (404 unknown, 400 invalid id).
 */
@RestController
class BaseBackupController {

    private final BaseBackupService backups;

    BaseBackupController(BaseBackupService backups) {
        this.backups = backups;
    }

    @PostMapping("/backups/{cluster}")
    ResponseEntity<?> start(@PathVariable String cluster,
                                           @RequestHeader(value = "X-Requested-By", required = false) String requestedBy,
                                           @org.springframework.web.bind.annotation.RequestParam(required = false) String target) {
        String by = requestedBy == null || !requestedBy.matches("[-a-zA-Z0-9_.:]{1,40}") ? "api" : requestedBy;
        if (target != null && !io.pgpilot.model.BackupDefinitions.TARGETS.contains(target)) {
            return error(HttpStatus.BAD_REQUEST, "target must be primary or prefer-standby");
        }
        return ResponseEntity.accepted().body(backups.start(cluster, by, target));
    }

    @GetMapping("/backups/{cluster}")
    List<BaseBackupStatus> list(@PathVariable String cluster) {
        return backups.list(cluster);
    }

    @GetMapping("/backups/{cluster}/{backupId}")
    ResponseEntity<?> get(@PathVariable String cluster, @PathVariable String backupId) {
        return backups.get(cluster, backupId).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> error(HttpStatus.NOT_FOUND, "cluster " + cluster + " has no backup " + backupId));
    }

    @ExceptionHandler(BaseBackupService.BackupRefusedException.class)
    ResponseEntity<Map<String, Object>> refused(BaseBackupService.BackupRefusedException e) {
        return error(e.reason() == BaseBackupService.BackupRefusedException.Reason.NOT_FOUND ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT,
                e.getMessage());
    }

    @ExceptionHandler(InvalidNameException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidNameException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(WalService.NoPlanException.class)
    ResponseEntity<Map<String, Object>> noPlan(WalService.NoPlanException e) {
        return error(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler({ObjectStore.StoreException.class, SecretFiles.SecretException.class})
    ResponseEntity<Map<String, Object>> unavailable(RuntimeException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(UnsupportedOperationException.class)
    ResponseEntity<Map<String, Object>> unsupported(UnsupportedOperationException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.value());
        body.put("error", String.valueOf(message));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
