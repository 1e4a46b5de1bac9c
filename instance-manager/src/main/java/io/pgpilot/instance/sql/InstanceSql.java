package io.pgpilot.instance.sql;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.Names;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What pgpilot asks a running instance over SQL (TLS, the server verified against the platform CA):
 * its role and timeline, WAL positions, promotion, settings pending a restart, and the creation of
 * the cluster's roles and database.
 */
public final class InstanceSql {

    private static final Logger log = LoggerFactory.getLogger(InstanceSql.class);

    private final Supplier<Path> caCertificate;

    /** @param caCertificate the CA certificate that signed the instances' server certificates */
    public InstanceSql(Supplier<Path> caCertificate) {
        this.caCertificate = caCertificate;
    }

    /** The highest LSN a standby has: received by its WAL receiver or replayed from local WAL. */
    public long receivedLsn(String host, int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text")) {
            rs.next();
            return Math.max(io.pgpilot.events.Lsn.parse(rs.getString(1)), io.pgpilot.events.Lsn.parse(rs.getString(2)));
        }
    }

    /**
     * Right after a promotion the control file still names the old timeline until the first
     * checkpoint ends, and pg_rewind reads the source's timeline from there: it would answer "no
     * rewind required" for a diverged target. Forces that checkpoint when it is missing.
     */
    public void checkpointIfTimelineNotRecorded(String host, int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement()) {
            boolean behind;
            try (ResultSet rs = st.executeQuery("SELECT (SELECT timeline_id FROM pg_control_checkpoint()) <> "
                    + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")) {
                rs.next();
                behind = rs.getBoolean(1);
            }
            if (behind) {
                st.execute("CHECKPOINT");
            }
        }
    }

    /** Whether a running instance is in recovery, and the timeline of the WAL it writes or replays. */
    public record Role(boolean inRecovery, int timeline) {
    }

    private static final String ROLE_SQL = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
            + "THEN (SELECT received_tli FROM pg_stat_wal_receiver) "
            + "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END";

    public Role role(String host, int port, Credentials superuser) throws SQLException {
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement()) {
            return role(st);
        }
    }

    private static Role role(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(ROLE_SQL)) {
            rs.next();
            return new Role(rs.getBoolean(1), rs.getInt(2));
        }
    }

    /**
     * Promotes a running standby over one SQL connection ({@code pg_promote(false)}) and polls
     * {@code pg_is_in_recovery()} every 10 ms on it: returns the role once it accepts writes (the
     * instance's own answer, unlike {@code pg_ctl promote -w}, which reads the control file and
     * polls every 100 ms). Throws SQLException when it cannot be asked (the caller falls back to pg_ctl).
     */
    public Role promoteOverSql(String host, int port, Credentials superuser, Duration timeout) throws SQLException {
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement()) {
            st.execute("SELECT pg_promote(false)");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Role role = role(st);
                if (!role.inRecovery()) {
                    return role;
                }
                if (System.nanoTime() > deadline) {
                    throw new ProvisioningException(Reason.PROMOTE, "promotion requested but still in recovery after " + timeout);
                }
                Postmaster.sleep(10); // poll interval while the startup process finishes recovery
            }
        }
    }

    public Connection connect(String host, int port, String database, Credentials credentials) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", credentials.username());
        props.setProperty("password", credentials.password());
        props.setProperty("connectTimeout", "10");
        // the whole login (TLS handshake, authentication) too: a frozen server accepts the TCP connection and then says nothing
        props.setProperty("loginTimeout", "10");
        props.setProperty("ApplicationName", "pgpilot-provisioner");
        // TLS, the server's address (a SAN of its certificate) verified against the platform CA
        props.setProperty("sslmode", "verify-full");
        props.setProperty("sslrootcert", caCertificate.get().toString());
        return DriverManager.getConnection("jdbc:postgresql://" + url(host) + ":" + port + "/" + database, props);
    }

    /**
     * Creates what is missing among the replication role, the owner role and the application
     * database. Passwords are set as SCRAM verifiers computed by the driver: no plain password in
     * any SQL text or server log. The session commits locally so it cannot wait for absent standbys.
     */
    public void ensureDatabase(String host, int port, ClusterDefinition cluster, Credentials superuser, Credentials replication,
                               Credentials owner) {
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", replication.username())) {
                st.execute("CREATE ROLE " + ident(replication.username()) + " WITH LOGIN REPLICATION");
                c.unwrap(PGConnection.class).alterUserPassword(replication.username(), replication.password().toCharArray(), "scram-sha-256");
            }
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", owner.username())) {
                st.execute("CREATE ROLE " + ident(owner.username()) + " WITH LOGIN");
                c.unwrap(PGConnection.class).alterUserPassword(owner.username(), owner.password().toCharArray(), "scram-sha-256");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", cluster.database())) {
                st.execute("CREATE DATABASE " + ident(cluster.database()) + " OWNER " + ident(owner.username()));
            }
        } catch (SQLException e) {
            throw new ProvisioningException(Reason.BOOTSTRAP_SQL, "cannot create roles and database of " + cluster.name()
                    + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    /** Settings in the files that the running server could not apply (they need a restart). */
    public List<String> pendingRestart(String host, int port, Credentials superuser) {
        List<String> names = new ArrayList<>();
        try (Connection c = connect(host, port, "postgres", superuser); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT name FROM pg_file_settings WHERE error IS NOT NULL ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            log.warn("host={} port={} cannot read pending restart settings: SQLState {}", host, port, e.getSQLState());
        }
        return names;
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The host part of a JDBC URL: an IPv6 address in brackets; anything else must be a plain name or address. */
    static String url(String host) {
        if (host == null || !host.matches("[A-Za-z0-9][-A-Za-z0-9.:]*")) {
            throw new IllegalArgumentException("not a host name or address: " + Names.printable(host));
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Quotes an identifier already validated against {@link Names#SQL_IDENTIFIER}. */
    public static String ident(String name) {
        if (!Names.SQL_IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a safe identifier: " + Names.printable(name));
        }
        return "\"" + name + "\"";
    }
}
