package io.pgpilot.system;

import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The user's fleet beside the reference cluster: {@code ./pgpilot apply -f examples/fleet -f
 * examples/postgres-cluster.yaml} brings up odoo-db (3 instances), authentik-db, wordpress-db,
 * forgejo-db (2 each) and postgres-cluster (3), each healthy with its own endpoints, database,
 * owner and passwords (one cluster's password does not open another); a kill -9 of odoo-db's
 * primary fails odoo-db over and leaves every other cluster untouched (same primary, timeline,
 * epoch and postmaster processes).
 *
 * <p>In the long tier ({@code PGPILOT_LONG_TESTS=1 ./test.sh}): 14 instances on a 2-core machine take
 * minutes, and the default suite stays under 45 minutes.
 */
@org.junit.jupiter.api.Tag("long")
class FleetSystemIT {

    static final Map<String, String> DATABASES = Map.of("odoo-db", "odoo", "authentik-db", "authentik", "wordpress-db", "wordpress",
            "forgejo-db", "forgejo", "postgres-cluster", "app");

    static Path home;
    static LocalPlatform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pf");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(),
                LocalPlatform.ObjectStore.ephemeral());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void theFourDatabasesAndTheReferenceClusterRunSideBySideAndAFailoverStaysInItsCluster() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        ProcessBuilder apply = new ProcessBuilder(repo.resolve("pgpilot").toString(), "apply", "-f", repo.resolve("examples/fleet").toString(),
                "-f", repo.resolve("examples/postgres-cluster.yaml").toString()).redirectErrorStream(true);
        apply.environment().put("PGPILOT_SERVER", platform.gatewayUrl());
        apply.environment().put("PGPILOT_HOME", home.toString());
        Process process = apply.start();
        String applied = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(applied).isZero();
        assertThat(applied).contains("cluster/odoo-db created", "cluster/authentik-db created", "cluster/wordpress-db created",
                "cluster/forgejo-db created", "cluster/postgres-cluster created");
        long t0 = System.nanoTime();
        for (String cluster : DATABASES.keySet()) {
            platform.awaitHealthy(cluster, Duration.ofMinutes(10));
        }
        System.out.printf("fleet + reference cluster (12 instances) healthy %.1f s after the apply; control plane RSS %d MiB%n",
                (System.nanoTime() - t0) / 1e9, platform.controlPlaneRssMiB());

        Map<String, ClusterProbe> probes = new LinkedHashMap<>();
        DATABASES.keySet().forEach(c -> probes.put(c, new ClusterProbe(platform, home, c)));
        assertThat(((List<?>) platform.status("odoo-db").get("instanceStatus"))).hasSize(3);
        Set<String> endpoints = new HashSet<>();
        Set<String> passwords = new HashSet<>();
        for (var entry : probes.entrySet()) {
            String cluster = entry.getKey();
            ClusterProbe probe = entry.getValue();
            for (String suffix : List.of("rw", "ro", "r")) {
                assertThat(endpoints.add(probe.endpoint(suffix))).as("%s-%s has its own address", cluster, suffix).isTrue();
            }
            assertThat(passwords.add(probe.secret("app", "password"))).as("%s has its own password", cluster).isTrue();
            try (Connection c = app(probe, cluster); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database(), current_user, current_setting('shared_buffers')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(DATABASES.get(cluster));
                assertThat(rs.getString(2)).isEqualTo(probe.secret("app", "username"));
                if (cluster.equals("odoo-db")) {
                    assertThat(rs.getString(3)).isEqualTo("512MB");
                }
            }
        }
        // one cluster's credentials do not open another
        String odooPassword = probes.get("odoo-db").secret("app", "password");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://" + probes.get("authentik-db").rw() + "/authentik",
                "odoo", odooPassword).close()).isInstanceOf(SQLException.class);

        record Before(String primary, Object timeline, Object epoch, List<Long> pids) {
        }
        Map<String, Before> others = new LinkedHashMap<>();
        for (String cluster : List.of("authentik-db", "wordpress-db", "forgejo-db", "postgres-cluster")) {
            Map<String, Object> status = platform.status(cluster);
            ClusterProbe probe = probes.get(cluster);
            List<Long> pids = new ArrayList<>();
            for (Object i : (List<?>) status.get("instanceStatus")) {
                pids.add(probe.postmasterPid((String) ((Map<?, ?>) i).get("name")));
            }
            others.put(cluster, new Before((String) status.get("currentPrimary"), status.get("timeline"), status.get("topologyEpoch"), pids));
        }

        ClusterProbe odoo = probes.get("odoo-db");
        String old = odoo.currentPrimary();
        odoo.signal("KILL", odoo.processTree(old));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Object primary = platform.status("odoo-db").get("currentPrimary");
            return primary != null && !old.equals(primary);
        });
        platform.awaitHealthy("odoo-db", Duration.ofMinutes(3));
        System.out.printf("odoo-db: %s killed, %s primary%n", old, platform.status("odoo-db").get("currentPrimary"));

        for (var entry : others.entrySet()) {
            Map<String, Object> status = platform.status(entry.getKey());
            ClusterProbe probe = probes.get(entry.getKey());
            List<Long> pids = new ArrayList<>();
            for (Object i : (List<?>) status.get("instanceStatus")) {
                pids.add(probe.postmasterPid((String) ((Map<?, ?>) i).get("name")));
            }
            assertThat(new Before((String) status.get("currentPrimary"), status.get("timeline"), status.get("topologyEpoch"), pids))
                    .as("%s untouched by odoo-db's failover", entry.getKey()).isEqualTo(entry.getValue());
            assertThat(status.get("phase")).isEqualTo("Cluster in healthy state");
        }
    }

    static Connection app(ClusterProbe probe, String cluster) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + probe.rw() + "/" + DATABASES.get(cluster),
                probe.secret("app", "username"), probe.secret("app", "password"));
    }
}
