package io.pgpilot.node;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.node.ManagerSpec;
import io.pgpilot.instance.runtime.InstanceManagerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagerPlanTest {

    static final ManagerLaunch.ManagerSettings SETTINGS = new ManagerLaunch.ManagerSettings("10.0.0.1:9092", Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(3));
    static final Credentials SUPERUSER = new Credentials("postgres", "s3cret-pass");

    static ManagerLaunch launch(String instance, int size, int port) {
        return ManagerLaunch.of(SETTINGS, "odoo", instance, new ManagerSpec("uid-1", size, SUPERUSER), port,
                Path.of("/var/lib/pgpilot/odoo/" + instance + "/pgdata"), Path.of("/usr/lib/postgresql/15/bin"),
                Path.of("/var/lib/pgpilot/secrets/odoo-superuser.json"));
    }

    @Test
    void startsMissingRestartsChangedStopsGone() {
        Map<String, ManagerLaunch> desired = Map.of(
                "odoo-1", launch("odoo-1", 3, 5432),
                "odoo-2", launch("odoo-2", 3, 5433),
                "odoo-3", launch("odoo-3", 3, 5434));
        Map<String, ManagerLaunch> running = Map.of(
                "odoo-1", launch("odoo-1", 3, 5432),   // unchanged
                "odoo-2", launch("odoo-2", 2, 5433),   // the cluster grew
                "odoo-9", launch("odoo-9", 3, 5440));  // removed from this node
        ManagerPlan plan = ManagerPlan.of(desired, running);
        assertThat(plan.start()).extracting(ManagerLaunch::instance).containsExactly("odoo-3");
        assertThat(plan.restart()).extracting(ManagerLaunch::instance).containsExactly("odoo-2");
        assertThat(plan.stop()).containsExactly("odoo-9");
        assertThat(ManagerPlan.of(desired, desired).isEmpty()).isTrue();
    }

    @Test
    void theLaunchIsAValidInstanceManagerConfigurationWithoutTheSecret() {
        ManagerLaunch launch = launch("odoo-2", 3, 5433);
        InstanceManagerConfig config = InstanceManagerConfig.of(launch.properties());
        assertThat(config.cluster()).isEqualTo("odoo");
        assertThat(config.instance()).isEqualTo("odoo-2");
        assertThat(config.clusterSize()).isEqualTo(3);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.selfFenceTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.kafkaBootstrapServers()).isEqualTo("10.0.0.1:9092");
        assertThat(launch.file()).doesNotContain("s3cret-pass").contains("credentials-file=/var/lib/pgpilot/secrets/odoo-superuser.json");
    }

    @Test
    void aSpecNeverShowsItsPasswordAndRefusesIncompleteCredentials() {
        assertThat(new ManagerSpec("uid-1", 3, SUPERUSER).toString()).doesNotContain("s3cret-pass");
        assertThatThrownBy(() -> new ManagerSpec("uid 1", 3, SUPERUSER)).hasMessageContaining("uid");
        assertThatThrownBy(() -> new ManagerSpec("uid-1", 0, SUPERUSER)).hasMessageContaining("1..99");
        assertThatThrownBy(() -> new ManagerSpec("uid-1", 3, new Credentials("postgres", ""))).hasMessageContaining("incomplete");
    }
}
