package io.pgpilot.health;

import io.pgpilot.instance.probe.KeptConnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Runs the metrics SQL on one instance over its own kept-open superuser connection (never the
 * heartbeat probe's), each statement bounded by a query timeout. Not thread-safe: one collection
 * at a time per instance (the caller serialises).
 */
final class InstanceMetricsQuery implements AutoCloseable {

    private static final String INSTANCE_SQL = """
            select pg_is_in_recovery() as in_recovery,
                   current_setting('server_version') as version,
                   current_setting('server_version_num')::int as version_num,
                   extract(epoch from pg_postmaster_start_time())::float8 as start_time,
                   coalesce(case when not pg_is_in_recovery()
                                   or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                                 else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp())) end, 0)::float8 as lag,
                   exists (select 1 from pg_stat_wal_receiver) as wal_receiver_up,
                   (select count(*) from pg_stat_replication)::int as streaming_replicas,
                   (select count(*) from pg_stat_replication where sync_state in ('sync', 'quorum'))::int as sync_standbys,
                   current_setting('synchronous_standby_names') as sync_names,
                   (select count(distinct pid) from pg_locks where not granted)::int as waiting
            """;
    private static final String BACKENDS_SQL = """
            select coalesce(datname, '') as datname, usename, coalesce(application_name, '') as application_name, state,
                   count(*)::bigint as total,
                   coalesce(extract(epoch from max(now() - xact_start)), 0)::float8 as max_tx
            from pg_stat_activity
            where usename is not null and state in ('active', 'idle', 'idle in transaction',
                  'idle in transaction (aborted)', 'fastpath function call', 'disabled')
            group by 1, 2, 3, 4 order by 1, 2, 3, 4
            """;
    private static final String DATABASES_SQL = """
            select d.datname, pg_database_size(d.datname)::bigint, age(d.datfrozenxid)::bigint,
                   s.xact_commit, s.xact_rollback, s.blks_read, s.blks_hit, s.tup_returned, s.tup_fetched,
                   s.tup_inserted, s.tup_updated, s.tup_deleted, s.conflicts, s.temp_files, s.temp_bytes, s.deadlocks
            from pg_database d join pg_stat_database s on s.datid = d.oid
            where d.datallowconn order by 1
            """;
    private static final String ARCHIVER_SQL = """
            select archived_count, failed_count,
                   coalesce(extract(epoch from now() - last_archived_time), -1)::float8,
                   coalesce(extract(epoch from now() - last_failed_time), -1)::float8,
                   coalesce(extract(epoch from last_archived_time), -1)::float8,
                   coalesce(extract(epoch from last_failed_time), -1)::float8,
                   (select count(*) from pg_ls_archive_statusdir() where name like '%.ready')::int,
                   (select count(*) from pg_ls_archive_statusdir() where name like '%.done')::int,
                   coalesce((select extract(epoch from now() - min(modification)) from pg_ls_archive_statusdir()
                             where name like '%.ready'), 0)::float8
            from pg_stat_archiver
            """;
    private static final String STANDBYS_SQL = """
            select coalesce(usename, ''), coalesce(application_name, ''), coalesce(client_addr::text, ''),
                   coalesce(client_port::text, ''),
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn), 0)::float8,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), write_lsn), 0)::float8,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn), 0)::float8,
                   coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::float8,
                   coalesce(extract(epoch from write_lag), 0)::float8,
                   coalesce(extract(epoch from flush_lag), 0)::float8,
                   coalesce(extract(epoch from replay_lag), 0)::float8
            from pg_stat_replication order by application_name
            """;

    private final KeptConnection connection;
    private final int timeoutSeconds;

    InstanceMetricsQuery(String host, int port, String user, String password, Duration timeout) {
        Properties properties = new Properties();
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "pgpilot-metrics");
        properties.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        properties.setProperty("socketTimeout", String.valueOf(timeoutSeconds + 1));
        properties.setProperty("loginTimeout", String.valueOf(timeoutSeconds));
        this.connection = new KeptConnection(host, port, properties);
    }

    /** The instance's statistics, or an exception when it did not answer (the connection is then dropped). */
    InstanceStats collect() throws SQLException {
        try {
            return query(connection.get());
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private InstanceStats query(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            boolean inRecovery;
            String version;
            int versionNum;
            double startTime;
            double lag;
            boolean receiverUp;
            int streaming;
            int sync;
            String syncNames;
            int waiting;
            try (ResultSet rs = st.executeQuery(INSTANCE_SQL)) {
                rs.next();
                inRecovery = rs.getBoolean("in_recovery");
                version = rs.getString("version");
                versionNum = rs.getInt("version_num");
                startTime = rs.getDouble("start_time");
                lag = rs.getDouble("lag");
                receiverUp = rs.getBoolean("wal_receiver_up");
                streaming = rs.getInt("streaming_replicas");
                sync = rs.getInt("sync_standbys");
                syncNames = rs.getString("sync_names");
                waiting = rs.getInt("waiting");
            }
            List<InstanceStats.Backends> backends = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(BACKENDS_SQL)) {
                while (rs.next()) {
                    backends.add(new InstanceStats.Backends(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getDouble(6)));
                }
            }
            List<InstanceStats.Database> databases = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(DATABASES_SQL)) {
                while (rs.next()) {
                    databases.add(new InstanceStats.Database(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                            rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getLong(16)));
                }
            }
            InstanceStats.Archiver archiver;
            try (ResultSet rs = st.executeQuery(ARCHIVER_SQL)) {
                rs.next();
                archiver = new InstanceStats.Archiver(rs.getLong(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getDouble(5), rs.getDouble(6), rs.getInt(7), rs.getInt(8), rs.getDouble(9));
            }
            List<InstanceStats.Standby> standbys = new ArrayList<>();
            if (!inRecovery) {
                try (ResultSet rs = st.executeQuery(STANDBYS_SQL)) {
                    while (rs.next()) {
                        standbys.add(new InstanceStats.Standby(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9),
                                rs.getDouble(10), rs.getDouble(11)));
                    }
                }
            }
            return new InstanceStats(inRecovery, version, versionNum, startTime, lag, receiverUp, streaming, sync,
                    InstanceSamples.requestedSyncStandbys(syncNames), waiting, backends, databases, archiver, standbys);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
