package io.pgpilot.backup;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

@RestController
class BackupController {

    private final BackupCatalog catalog;

    BackupController(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/plans")
    Map<String, BackupPlan> plans() {
        return catalog.plans();
    }
}
