package io.pgpilot.instance.probe;

import io.pgpilot.events.Heartbeat.StandbyStatus;
import io.pgpilot.events.Lsn;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Asks one PostgreSQL instance how it is, over a kept-open superuser connection (re-opened after
 * any failure). One round trip for the instance, one more on a primary for its standbys.
 */
public final class InstanceProbe implements AutoCloseable {

    private static final String STATUS_SQL = """
            select pg_is_in_recovery() as in_recovery,
                   case when pg_is_in_recovery() then null else pg_current_wal_lsn()::text end as current_lsn,
                   case when pg_is_in_recovery() then null
                        else ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end as current_tli,
                   pg_last_wal_receive_lsn()::text as receive_lsn,
                   pg_last_wal_replay_lsn()::text as replay_lsn,
                   coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0)::float8 as replay_age,
                   (select timeline_id from pg_control_checkpoint()) as checkpoint_tli,
                   r.status as wal_receiver_status, r.received_tli,
                   r.sender_host || ':' || r.sender_port as upstream,
                   (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as connections,
                   (select coalesce(sum(xact_commit), 0) from pg_stat_database)::bigint as xact_commit,
                   exists (select 1 from pg_settings where pending_restart) as pending_restart
            from (select 1) one left join pg_stat_wal_receiver r on true
            """;
    private static final String STANDBYS_SQL = """
            select application_name, state, sync_state, sent_lsn::text, flush_lsn::text, replay_lsn::text,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint as lag_bytes,
                   reply_time::text
            from pg_stat_replication order by application_name
            """;

    private final KeptConnection connection;

    /** @param applicationName shown in {@code pg_stat_activity}: who is probing */
    public InstanceProbe(String host, int port, String user, String password, Duration timeout, String applicationName) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("connectTimeout", String.valueOf(Math.max(1, timeout.toSeconds())));
        properties.setProperty("socketTimeout", String.valueOf(Math.max(1, timeout.toSeconds())));
        properties.setProperty("loginTimeout", String.valueOf(Math.max(1, timeout.toSeconds())));
        properties.setProperty("tcpKeepAlive", "true");
        this.connection = new KeptConnection(host, port, properties);
    }

    public ProbeResult probe() {
        try {
            return query(connection.get());
        } catch (SQLException e) {
            close();
            return new ProbeResult.Unreachable(safeReason(e));
        }
    }

    private ProbeResult query(Connection connection) throws SQLException {
        try (var statement = connection.createStatement(); ResultSet rs = statement.executeQuery(STATUS_SQL)) {
            rs.next();
            boolean inRecovery = rs.getBoolean("in_recovery");
            int timeline = inRecovery
                    ? (rs.getObject("received_tli") != null ? rs.getInt("received_tli") : rs.getInt("checkpoint_tli"))
                    : rs.getInt("current_tli");
            long current = Lsn.parse(rs.getString("current_lsn"));
            List<StandbyStatus> standbys = inRecovery ? List.of() : standbys(connection);
            return new ProbeResult.Reachable(inRecovery, timeline, current, Lsn.parse(rs.getString("receive_lsn")),
                    Lsn.parse(rs.getString("replay_lsn")), rs.getDouble("replay_age"), rs.getString("wal_receiver_status"),
                    rs.getString("upstream"), rs.getInt("connections"), rs.getLong("xact_commit"), standbys,
                    rs.getBoolean("pending_restart"));
        }
    }

    private List<StandbyStatus> standbys(Connection connection) throws SQLException {
        List<StandbyStatus> result = new ArrayList<>();
        try (var statement = connection.createStatement(); ResultSet rs = statement.executeQuery(STANDBYS_SQL)) {
            while (rs.next()) {
                result.add(new StandbyStatus(rs.getString(1), rs.getString(2), rs.getString(3), Lsn.parse(rs.getString(4)),
                        Lsn.parse(rs.getString(5)), Lsn.parse(rs.getString(6)), rs.getLong(7), rs.getString(8)));
            }
        }
        return result;
    }

    /** SQLSTATE and the first line of the message: PostgreSQL never echoes passwords in these. */
    private static String safeReason(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return (e.getSQLState() == null ? "" : e.getSQLState() + " ") + message;
    }

    @Override
    public void close() {
        connection.close();
    }
}
