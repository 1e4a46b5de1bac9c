package io.pgpilot.gateway;

import io.pgpilot.events.DatabaseSpecRecord;
import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.RolesStatusRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;

/** The gateway's read model of managed objects: Database manifests and their status, managed roles' status. */
@Component
class DatabaseView implements SmartLifecycle {

    private final PlatformProperties platform;
    private final KeyedView<DatabaseSpecRecord> specs = new KeyedView<>(DatabaseSpecRecord.class);
    private final KeyedView<DatabaseStatusRecord> statuses = new KeyedView<>(DatabaseStatusRecord.class);
    private final KeyedView<RolesStatusRecord> roles = new KeyedView<>(RolesStatusRecord.class);
    private KeyedViewFeed feed;
    private volatile boolean running;

    DatabaseView(PlatformProperties platform) {
        this.platform = platform;
    }

    @Override
    public void start() {
        feed = PoolerView.start(platform, "gateway-databases",
                Map.of(Topics.DATABASE_SPECS, specs, Topics.DATABASE_STATUS, statuses, Topics.ROLES_STATUS, roles));
        running = true;
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

    @Override
    public void stop() {
        running = false;
        if (feed != null) {
            feed.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
