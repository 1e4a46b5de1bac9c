package io.pgpilot.gateway;

import io.pgpilot.events.KeyedView;
import io.pgpilot.events.PoolerSpecRecord;
import io.pgpilot.events.PoolerStatusRecord;
import io.pgpilot.events.Topics;
import io.pgpilot.support.PlatformProperties;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Optional;

/** The gateway's read model of poolers: accepted specs and what the services module runs for them. */
@Component
class PoolerView extends KeyedViews {

    private final KeyedView<PoolerSpecRecord> specs;
    private final KeyedView<PoolerStatusRecord> statuses;

    @org.springframework.beans.factory.annotation.Autowired
    PoolerView(PlatformProperties platform) {
        this(platform, new KeyedView<>(PoolerSpecRecord.class), new KeyedView<>(PoolerStatusRecord.class));
    }

    private PoolerView(PlatformProperties platform, KeyedView<PoolerSpecRecord> specs, KeyedView<PoolerStatusRecord> statuses) {
        super(platform, "gateway-poolers", Map.of(Topics.POOLER_SPECS, specs, Topics.POOLER_STATUS, statuses));
        this.specs = specs;
        this.statuses = statuses;
    }

    /** What this gateway itself published, visible at once (read-your-writes). */
    void accepted(String pooler, PoolerSpecRecord spec) {
        specs.accepted(pooler, spec);
    }

    Map<String, PoolerSpecRecord> specs() {
        return specs.all();
    }

    Optional<PoolerSpecRecord> spec(String pooler) {
        return specs.get(pooler);
    }

    Optional<PoolerStatusRecord> status(String pooler) {
        return statuses.get(pooler);
    }
}
