package io.pgpilot.gateway;

import io.pgpilot.events.DatabaseSpecRecord;
import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.RolesStatusRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;

/** The gateway's read model of managed objects: Database manifests and their status, managed roles' status. */
@Component
class DatabaseView extends KeyedViews {

    private final KeyedView<DatabaseSpecRecord> specs;
    private final KeyedView<DatabaseStatusRecord> statuses;
    private final KeyedView<RolesStatusRecord> roles;

    @org.springframework.beans.factory.annotation.Autowired
    DatabaseView(PlatformProperties platform) {
        this(platform, new KeyedView<>(DatabaseSpecRecord.class), new KeyedView<>(DatabaseStatusRecord.class),
                new KeyedView<>(RolesStatusRecord.class));
    }

    private DatabaseView(PlatformProperties platform, KeyedView<DatabaseSpecRecord> specs, KeyedView<DatabaseStatusRecord> statuses,
                         KeyedView<RolesStatusRecord> roles) {
        super(platform, "gateway-databases", Map.of(Topics.DATABASE_SPECS, specs, Topics.DATABASE_STATUS, statuses, Topics.ROLES_STATUS, roles));
        this.specs = specs;
        this.statuses = statuses;
        this.roles = roles;
    }

    void accepted(String name, DatabaseSpecRecord spec) {
        specs.accepted(name, spec);
    }

    Map<String, DatabaseSpecRecord> specs() {
        return specs.all();
    }

    Optional<DatabaseSpecRecord> spec(String name) {
        return specs.get(name);
    }

    Optional<DatabaseStatusRecord> status(String name) {
        return statuses.get(name);
    }

    Optional<RolesStatusRecord> roles(String cluster) {
        return roles.get(cluster);
    }
}
