package io.pgpilot.services.pooler;

import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerValidator;
import io.pgpilot.services.ClusterEndpoints;
import io.pgpilot.services.ClusterRoutes;
import io.pgpilot.services.EndpointPorts;
import io.pgpilot.services.Server;
import io.pgpilot.services.pooler.PgBouncerConfig.Target;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of the poolers: where a pooler connects, and the files PgBouncer reads. */
class PoolerConfigTest {

    static PoolerDefinition pooler(String type, String extra) {
        return PoolerValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Pooler
                metadata: {name: p}
                spec:
                  cluster: {name: c}
                  type: %s
                  pgbouncer:
                    poolMode: transaction
                    parameters: {default_pool_size: "7"%s}
                """.formatted(type, extra));
    }

    static final Server PRIMARY = new Server("c-2", "127.0.0.1", 15433);
    static final Server REPLICA = new Server("c-1", "127.0.0.1", 15432);
    static final ClusterEndpoints ROUTED = new ClusterEndpoints(new ClusterRoutes("c", 3, List.of(PRIMARY), List.of(REPLICA),
            List.of(REPLICA, PRIMARY)), EndpointPorts.from(5432));

    @Test
    void rwGoesStraightToTheConfirmedPrimaryAndRoRThroughTheEndpoints() {
        assertThat(PoolerTarget.of(pooler("rw", ""), ROUTED, "127.0.0.1")).contains(new Target("127.0.0.1", 15433));
        assertThat(PoolerTarget.of(pooler("ro", ""), ROUTED, "127.0.0.1")).contains(new Target("127.0.0.1", 5433));
        assertThat(PoolerTarget.of(pooler("r", ""), ROUTED, "127.0.0.1")).contains(new Target("127.0.0.1", 5434));
    }

    @Test
    void noConfirmedPrimaryMeansNoRwTarget() {
        ClusterEndpoints failingOver = new ClusterEndpoints(new ClusterRoutes("c", 4, List.of(), List.of(REPLICA), List.of(REPLICA)),
                EndpointPorts.from(5432));
        assertThat(PoolerTarget.of(pooler("rw", ""), failingOver, "127.0.0.1")).isEmpty();
        assertThat(PoolerTarget.of(pooler("rw", ""), null, "127.0.0.1")).isEmpty();
    }

    @Test
    void pgpilotsSettingsComeAfterTheManifestsAndTheTargetIsTheOnlyDatabase() {
        String ini = PgBouncerConfig.ini(pooler("rw", ", server_reset_query: DISCARD ALL"), "127.0.0.1", 6432, Path.of("/p/1"),
                Path.of("/p/hba"), Path.of("/p/users"), "cnpg_pooler_pgbouncer", Path.of("/p/ca.crt"), new Target("127.0.0.1", 15433));
        assertThat(ini).contains("[databases]\n* = host=127.0.0.1 port=15433\n");
        assertThat(ini.indexOf("default_pool_size = 7")).isLessThan(ini.indexOf("listen_port = 6432"));
        assertThat(ini.indexOf("server_reset_query = DISCARD ALL")).isLessThan(ini.indexOf("auth_type = hba"));
        assertThat(ini).contains("pool_mode = transaction", "so_reuseport = 1", "auth_user = cnpg_pooler_pgbouncer",
                "auth_query = SELECT usename, passwd FROM public.user_search($1)", "admin_users = pgpilot_admin",
                "server_tls_sslmode = verify-full", "server_tls_ca_file = /p/ca.crt", "unix_socket_mode = 0700");
        assertThat(ini.lines().filter(l -> l.startsWith("default_pool_size")).count()).isEqualTo(1);
    }

    @Test
    void withoutAPublishedCaServerConnectionsStayPlain() {
        String ini = PgBouncerConfig.ini(pooler("rw", ""), "127.0.0.1", 6432, Path.of("/p/1"), Path.of("/p/hba"), Path.of("/p/users"),
                "cnpg_pooler_pgbouncer", null, new Target("127.0.0.1", 15433));
        assertThat(ini).doesNotContain("server_tls");
    }

    @Test
    void theAdminConsoleIsReachableOnlyOverTheSocket() {
        assertThat(PgBouncerConfig.hba()).contains("local  pgbouncer  pgpilot_admin  scram-sha-256", "host   pgbouncer  all   0.0.0.0/0  reject");
        assertThat(PgBouncerConfig.authFile("role\"x", "pa\"ss", "admin")).isEqualTo("\"role\"\"x\" \"pa\"\"ss\"\n\"pgpilot_admin\" \"admin\"\n");
        assertThat(PgBouncerConfig.adminPassfile("a:b\\c")).isEqualTo("*:*:pgbouncer:pgpilot_admin:a\\:b\\\\c\n");
    }

    @Test
    void targetsAreChecked() {
        assertThatThrownBy(() -> new Target("host with space", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Target("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
