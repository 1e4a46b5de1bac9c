package io.pgpilot.instance.node;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.configuration.ConfigRenderer.Upstream;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.testkit.TestCa;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One instance life across two nodes, whichever way the nodes are reached (in this JVM or through
 * their agents): a primary on the first, a replica cloned from it on the second, streaming
 * checked over TLS, the replica promoted, both stopped and removed. The test plays the control
 * plane: it issues the certificates and renders the settings with paths that are not the nodes'.
 */
public final class NodeScenario {

    public static final String CLUSTER = "nodetest";
    public static final Credentials SUPERUSER = new Credentials(Credentials.SUPERUSER, "su-" + ThreadLocalRandom.current().nextLong(1L << 40));
    public static final Credentials REPLICATION = new Credentials("streaming_replica", "re-" + ThreadLocalRandom.current().nextLong(1L << 40));

    private final TestCa ca;

    public NodeScenario(TestCa ca) {
        this.ca = ca;
    }

    public static CertificateBundle bundle(TestCa.Issued issued) {
        return new CertificateBundle(issued.caCertificate(), issued.serverKey(), issued.serverCertificate(), issued.clientKey(),
                issued.clientCertificate());
    }

    /** Settings as the control plane renders them: its own paths, which the node replaces. */
    static ManagedSettings settings(InstanceRef instance, int port, Upstream upstream) {
        Path elsewhere = Path.of("/control-plane-only", instance.instance());
        return new ManagedSettings(instance.instance(), port, elsewhere.resolve("sock"), elsewhere.resolve("log"), "", upstream);
    }

    /** A primary on {@code first}, with one row. */
    public InstanceMetadata primary(NodeOperations first, InstanceRef primary) throws SQLException {
        InstanceMetadata metadata = first.prepare(primary);
        assertThat(first.prepare(primary).port()).as("the port is assigned once").isEqualTo(metadata.port());
        CertificateBundle bundle = bundle(ca.issue(primary.instance(), "127.0.0.1", first.address()));
        assertThat(first.installCertificates(primary, bundle)).isTrue();
        assertThat(first.installCertificates(primary, bundle)).as("unchanged").isFalse();
        assertThat(first.serverCertificate(primary)).isEqualTo(bundle.serverCertificate());
        first.writeClusterTls(CLUSTER, ClusterTls.DEFAULT);
        first.initPrimary(primary, SUPERUSER);
        first.writeConfig(primary, settings(primary, metadata.port(), null), Map.of("work_mem", "8MB"));
        first.start(primary);
        assertThat(first.isRunning(primary)).isTrue();
        assertThat(first.observe(CLUSTER).get(primary.ordinal()).running()).isTrue();
        try (Connection c = connect(first.address(), metadata.port()); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE streaming_replica WITH LOGIN REPLICATION PASSWORD '" + REPLICATION.password() + "'");
            s.execute("CREATE TABLE t (id int primary key)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        return metadata;
    }

    /** A replica on {@code second} cloned from the primary at {@code primaryAddress}, streaming. */
    public InstanceMetadata replica(NodeOperations second, InstanceRef replica, String primaryAddress, int primaryPort) throws Exception {
        InstanceMetadata metadata = second.prepare(replica);
        second.installCertificates(replica, bundle(ca.issue(replica.instance(), "127.0.0.1", second.address())));
        second.writeClusterTls(CLUSTER, ClusterTls.DEFAULT);
        second.cloneReplica(replica, primaryAddress, primaryPort, REPLICATION);
        second.writeConfig(replica, settings(replica, metadata.port(), new Upstream(primaryAddress, primaryPort, Path.of("/control-plane-only"))),
                Map.of());
        second.start(replica);
        assertThat(second.observeMembers(CLUSTER).get(replica.ordinal()).standby()).isTrue();
        awaitStreaming(primaryAddress, primaryPort, replica.instance());
        return metadata;
    }

    /** Waits until the primary reports {@code application} streaming over TLS. */
    public static void awaitStreaming(String primaryAddress, int primaryPort, String application) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Connection c = connect(primaryAddress, primaryPort); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
                         + " WHERE r.state = 'streaming' AND s.ssl AND r.application_name = '" + application + "'")) {
                r.next();
                if (r.getInt(1) == 1) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as(application + " streaming from " + primaryAddress + ":" + primaryPort).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The replica promoted accepts writes and has the primary's row. */
    public static void promoteAndCheck(NodeOperations second, InstanceRef replica, int port) throws SQLException {
        second.promote(replica);
        assertThat(second.observeMembers(CLUSTER).get(replica.ordinal()).standby()).isFalse();
        try (Connection c = connect(second.address(), port); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES (2)");
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(2);
            }
        }
    }

    /** The superuser over TLS (the node's pg_hba refuses other hosts without it). */
    public static Connection connect(String address, int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER.username());
        props.setProperty("password", SUPERUSER.password());
        props.setProperty("sslmode", "require");
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":" + port + "/postgres", props);
    }
}
