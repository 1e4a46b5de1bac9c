package io.pgpilot.system;

import io.pgpilot.testkit.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Continuous archiving with the whole platform and the reference manifest verbatim: the local S3
 * store has the bucket {@code homelab-backups} (object lock) and the secret {@code s3-creds}; the
 * primary archives into the barman-cloud layout; after a kill -9 failover the new primary goes on
 * on timeline 2 with no gap in the archive (every segment number is there on one timeline or the
 * other, and the timeline's .history file).
 */
class BackupSystemIT {

    static final String CLUSTER = "postgres-cluster";
    static final String WALS = "cnpg/postgres-cluster/wals/";
    static final Pattern SEGMENT = Pattern.compile(".*/([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\\.gz");
    static Path home;
    static LocalPlatform platform;
    static ClusterProbe probe;

    @BeforeAll
    static void startPlatform() throws Exception {
        home = Files.createTempDirectory("pgpilot-backup");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(),
                LocalPlatform.ObjectStore.ephemeral());
        assertThat(Files.getPosixFilePermissions(home.resolve("secrets/s3-creds.json"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(platform.apply(Files.readString(Path.of("../examples/postgres-cluster.yaml")), CLUSTER)).isEqualTo(201);
        platform.awaitHealthy(CLUSTER, Duration.ofSeconds(180));
        probe = new ClusterProbe(platform, home, CLUSTER);
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void archivingFollowsAFailoverWithNoGap() throws Exception {
        String old = probe.currentPrimary();
        String first = switchWal(old);
        await().atMost(Duration.ofSeconds(60)).until(() -> keys().stream().anyMatch(k -> k.endsWith("/" + first + ".gz")));

        probe.signal("KILL", List.of(probe.postmasterPid(old)));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            String now = probe.currentPrimary();
            return now != null && !now.equals(old) && probe.writablePrimaries().equals(List.of(now));
        });
        String fresh = probe.currentPrimary();
        String onTimeline2 = switchWal(fresh);
        assertThat(onTimeline2).startsWith("00000002");
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<String> keys = keys();
            return keys.contains(WALS + "00000002.history.gz") && keys.stream().anyMatch(k -> k.endsWith("/" + onTimeline2 + ".gz"));
        });

        // no gap: every segment number from the first archived to the newest is on timeline 1 or 2
        Set<Long> numbers = new TreeSet<>();
        for (String key : keys()) {
            Matcher m = SEGMENT.matcher(key);
            if (m.matches()) {
                numbers.add(Long.parseLong(m.group(2), 16) * 256 + Long.parseLong(m.group(3), 16));
            }
        }
        long low = numbers.stream().min(Long::compare).orElseThrow();
        long high = Long.parseLong(onTimeline2.substring(8, 16), 16) * 256 + Long.parseLong(onTimeline2.substring(16), 16);
        for (long n = low; n <= high; n++) {
            assertThat(numbers).as("segment %d archived on some timeline (archive: %s)", n, keys()).contains(n);
        }
        System.out.printf("archive after failover: %d segments, %s%n", numbers.size(), keys());
    }

    static String switchWal(String instance) throws Exception {
        try (Connection c = probe.superuser(instance); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            st.execute("CREATE TABLE IF NOT EXISTS archived (x int)");
            st.execute("INSERT INTO archived SELECT generate_series(1, 1000)");
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static List<String> keys() {
        try (S3Client s3 = platform.objectStore().client()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(LocalPlatform.ObjectStore.REFERENCE_BUCKET).prefix(WALS)).contents().stream()
                    .map(S3Object::key).toList();
        }
    }
}
