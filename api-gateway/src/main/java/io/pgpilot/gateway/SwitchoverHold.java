package io.pgpilot.gateway;

import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerValidator;
import io.pgpilot.support.PlatformProperties;
import io.pgpilot.support.security.ServiceTokens;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;

/**
 * Before a planned switchover or promote, asks the services module to pause the cluster's
 * transaction-mode rw poolers (PgBouncer PAUSE: running transactions finish, new ones wait) so that
 * their clients see a pause instead of errors; they resume on the new primary by themselves. Session
 * mode poolers are not held: their server connections are released only when clients disconnect.
 * A failure to hold never blocks the switchover: it is logged and the switchover goes on.
 */
@Component
class SwitchoverHold {

    private final PoolerView poolers;
    private final io.pgpilot.support.security.PoolerHold hold;

    SwitchoverHold(PoolerView poolers, PlatformProperties platform,
                   @Value("${pgpilot.gateway.services-url:http://127.0.0.1:8085}") String servicesUrl,
                   @Value("${pgpilot.gateway.pooler-pause-timeout:10s}") Duration timeout) {
        this.poolers = poolers;
        this.hold = new io.pgpilot.support.security.PoolerHold(servicesUrl, new ServiceTokens(platform.home()), timeout);
    }

    /** Returns once the cluster's held poolers drained (or could not be held); what happened, for the answer. */
    Map<String, Object> beforeSwitchover(String cluster) {
        boolean any = poolers.specs().values().stream().map(spec -> PoolerValidator.validate(spec.manifest()))
                .anyMatch(p -> p.cluster().equals(cluster) && p.type() == PoolerDefinition.Type.RW
                        && p.poolMode() == PoolerDefinition.PoolMode.TRANSACTION);
        return any ? hold.hold(cluster) : Map.of();
    }
}
