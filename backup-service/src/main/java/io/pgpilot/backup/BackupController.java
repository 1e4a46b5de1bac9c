package io.pgpilot.backup;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

@RestController
class BackupController {

    private final BackupCatalog catalog;
    private final BackupScheduler scheduler;
    private final RetentionService retention;

    BackupController(BackupCatalog catalog, BackupScheduler scheduler, RetentionService retention) {
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.retention = retention;
    }

    /** The next scheduled base backup of each cluster with spec.backup.schedule (UTC). */
    @GetMapping("/schedules")
    Map<String, java.time.Instant> schedules() {
        return scheduler.nextFireTimes();
    }

    /** Applies the recovery window of one cluster now (otherwise every pgpilot.backup.retention-interval). */
    @org.springframework.web.bind.annotation.PostMapping("/retention/{cluster}")
    RetentionService.Result retention(@org.springframework.web.bind.annotation.PathVariable String cluster) {
        if (!io.pgpilot.model.Names.CLUSTER.matcher(cluster).matches()) {
            throw new WalService.NoPlanException(io.pgpilot.model.Names.printable(cluster));
        }
        return retention.apply(cluster);
    }

    @org.springframework.web.bind.annotation.ExceptionHandler(WalService.NoPlanException.class)
    org.springframework.http.ResponseEntity<Map<String, Object>> noPlan(WalService.NoPlanException e) {
        return BaseBackupController.error(org.springframework.http.HttpStatus.NOT_FOUND, e.getMessage());
    }

    @GetMapping("/plans")
    Map<String, BackupPlan> plans() {
        return catalog.plans();
    }
}
