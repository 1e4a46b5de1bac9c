package io.pgpilot.support.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every metric family the platform exports, in one place: the health monitor's renderer writes the
 * per-instance families from it ({@code /metrics}), the services register the control-plane
 * families from it (Micrometer, {@code /actuator/prometheus}), and the dashboard and alert checks
 * accept only names found here. Per-instance families follow CloudNativePG's default names and
 * label names, plus {@code cluster} and {@code pod} (the instance name).
 */
public final class MetricCatalog {

    /** The Prometheus type of a family. */
    public enum Type {
        GAUGE("gauge"), COUNTER("counter"), SUMMARY("summary");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** Who exports a family: the health monitor's renderer, a service's Micrometer registry, or the poolers' collector. */
    public enum Source { INSTANCE, CONTROL_PLANE, POOLER }

    /**
     * @param name      the family name as Prometheus sees it
     * @param meterName the Micrometer meter name (control-plane families only)
     * @param labels    label names; instance families start with {@code cluster}, {@code pod}
     * @param always    exported whenever its exporter runs (false: only once the value is known,
     *                  or only on some instances, e.g. a primary)
     */
    public record Family(String name, Type type, String help, List<String> labels, Source source,
                         String meterName, boolean always) {
    }

    private static final Map<String, Family> FAMILIES = new LinkedHashMap<>();

    private static Family instance(String name, Type type, String help, boolean always, String... labels) {
        List<String> all = new ArrayList<>(List.of("cluster", "pod"));
        all.addAll(List.of(labels));
        return add(new Family(name, type, help, List.copyOf(all), Source.INSTANCE, null, always));
    }

    private static Family control(String name, String meterName, Type type, String help, boolean always, String... labels) {
        return add(new Family(name, type, help, List.of(labels), Source.CONTROL_PLANE, meterName, always));
    }

    private static Family pooler(String name, String help, String... labels) {
        List<String> all = new ArrayList<>(List.of("pooler", "pod"));
        all.addAll(List.of(labels));
        return add(new Family(name, Type.GAUGE, help, List.copyOf(all), Source.POOLER, null, false));
    }

    private static Family add(Family family) {
        if (FAMILIES.putIfAbsent(family.name(), family) != null) {
            throw new IllegalStateException("duplicate metric family " + family.name());
        }
        return family;
    }

    // ---- per instance, rendered by the health monitor (CloudNativePG's default names) ----

    public static final Family COLLECTOR_UP = instance("cnpg_collector_up", Type.GAUGE,
            "1 if PostgreSQL answered the metrics collection, 0 otherwise", true);
    public static final Family COLLECTOR_POSTGRES_VERSION = instance("cnpg_collector_postgres_version", Type.GAUGE,
            "PostgreSQL version (major.minor)", false, "full");
    public static final Family COLLECTOR_FENCING_ON = instance("cnpg_collector_fencing_on", Type.GAUGE,
            "1 if the instance is fenced, 0 otherwise", true);
    public static final Family COLLECTOR_SYNC_REPLICAS = instance("cnpg_collector_sync_replicas", Type.GAUGE,
            "Number of requested synchronous replicas (synchronous_standby_names), on a primary", false, "value");
    public static final Family COLLECTOR_PG_WAL_ARCHIVE_STATUS = instance("cnpg_collector_pg_wal_archive_status", Type.GAUGE,
            "Number of WAL segments in pg_wal/archive_status (ready, done)", false, "value");

    public static final Family BACKENDS_TOTAL = instance("cnpg_backends_total", Type.GAUGE,
            "Number of backends", false, "datname", "usename", "application_name", "state");
    public static final Family BACKENDS_MAX_TX_DURATION = instance("cnpg_backends_max_tx_duration_seconds", Type.GAUGE,
            "Maximum duration of a transaction in seconds", false, "datname", "usename", "application_name", "state");
    public static final Family BACKENDS_WAITING_TOTAL = instance("cnpg_backends_waiting_total", Type.GAUGE,
            "Number of backends currently waiting for a lock", false);
    public static final Family PG_STAT_ACTIVITY_COUNT = instance("cnpg_pg_stat_activity_count", Type.GAUGE,
            "Number of connections by database, user, application and state (pg_stat_activity)", false,
            "datname", "usename", "application_name", "state");

    public static final Family PG_DATABASE_SIZE_BYTES = instance("cnpg_pg_database_size_bytes", Type.GAUGE,
            "Disk space used by the database", false, "datname");
    public static final Family PG_DATABASE_XID_AGE = instance("cnpg_pg_database_xid_age", Type.GAUGE,
            "Number of transactions from the frozen XID to the current one", false, "datname");
    public static final Family PG_POSTMASTER_START_TIME = instance("cnpg_pg_postmaster_start_time", Type.GAUGE,
            "Time at which PostgreSQL started (seconds since the epoch)", false);

    public static final Family PG_REPLICATION_LAG = instance("cnpg_pg_replication_lag", Type.GAUGE,
            "Replication lag behind the primary in seconds (0 on a primary)", false);
    public static final Family PG_REPLICATION_LAG_SECONDS = instance("cnpg_pg_replication_lag_seconds", Type.GAUGE,
            "Replication lag behind the primary in seconds, replicas only", false);
    public static final Family PG_REPLICATION_IN_RECOVERY = instance("cnpg_pg_replication_in_recovery", Type.GAUGE,
            "Whether the instance is in recovery (1 = replica)", false);
    public static final Family PG_REPLICATION_IS_WAL_RECEIVER_UP = instance("cnpg_pg_replication_is_wal_receiver_up", Type.GAUGE,
            "Whether the instance's WAL receiver is up", false);
    public static final Family PG_REPLICATION_STREAMING_REPLICAS = instance("cnpg_pg_replication_streaming_replicas", Type.GAUGE,
            "Number of streaming replicas connected to the instance", false);

    public static final Family PG_STAT_ARCHIVER_ARCHIVED_COUNT = instance("cnpg_pg_stat_archiver_archived_count", Type.COUNTER,
            "Number of WAL files that have been successfully archived (primary)", false);
    public static final Family PG_STAT_ARCHIVER_FAILED_COUNT = instance("cnpg_pg_stat_archiver_failed_count", Type.COUNTER,
            "Number of failed attempts for archiving WAL files (primary)", false);
    public static final Family PG_STAT_ARCHIVER_SECONDS_SINCE_LAST_ARCHIVAL = instance(
            "cnpg_pg_stat_archiver_seconds_since_last_archival", Type.GAUGE,
            "Seconds since the last successful archival operation, -1 if none (primary)", false);
    public static final Family PG_STAT_ARCHIVER_SECONDS_SINCE_LAST_FAILURE = instance(
            "cnpg_pg_stat_archiver_seconds_since_last_failure", Type.GAUGE,
            "Seconds since the last failed archival operation, -1 if none (primary)", false);
    public static final Family PG_STAT_ARCHIVER_LAST_ARCHIVED_TIME = instance("cnpg_pg_stat_archiver_last_archived_time", Type.GAUGE,
            "Epoch of the last time WAL archiving succeeded, -1 if never (primary)", false);
    public static final Family PG_STAT_ARCHIVER_LAST_FAILED_TIME = instance("cnpg_pg_stat_archiver_last_failed_time", Type.GAUGE,
            "Epoch of the last time WAL archiving failed, -1 if never (primary)", false);

    public static final Family PG_STAT_DATABASE_XACT_COMMIT = statDatabase("xact_commit", "Number of transactions committed");
    public static final Family PG_STAT_DATABASE_XACT_ROLLBACK = statDatabase("xact_rollback", "Number of transactions rolled back");
    public static final Family PG_STAT_DATABASE_BLKS_READ = statDatabase("blks_read", "Number of disk blocks read");
    public static final Family PG_STAT_DATABASE_BLKS_HIT = statDatabase("blks_hit", "Number of buffer cache hits");
    public static final Family PG_STAT_DATABASE_TUP_RETURNED = statDatabase("tup_returned", "Number of rows returned by queries");
    public static final Family PG_STAT_DATABASE_TUP_FETCHED = statDatabase("tup_fetched", "Number of rows fetched by queries");
    public static final Family PG_STAT_DATABASE_TUP_INSERTED = statDatabase("tup_inserted", "Number of rows inserted");
    public static final Family PG_STAT_DATABASE_TUP_UPDATED = statDatabase("tup_updated", "Number of rows updated");
    public static final Family PG_STAT_DATABASE_TUP_DELETED = statDatabase("tup_deleted", "Number of rows deleted");
    public static final Family PG_STAT_DATABASE_CONFLICTS = statDatabase("conflicts", "Number of queries canceled by recovery conflicts");
    public static final Family PG_STAT_DATABASE_TEMP_FILES = statDatabase("temp_files", "Number of temporary files created");
    public static final Family PG_STAT_DATABASE_TEMP_BYTES = statDatabase("temp_bytes", "Bytes written to temporary files");
    public static final Family PG_STAT_DATABASE_DEADLOCKS = statDatabase("deadlocks", "Number of deadlocks detected");

    public static final Family PG_STAT_REPLICATION_SENT_DIFF_BYTES = statReplication("sent_diff_bytes",
            "Bytes between the primary's current WAL location and the last one sent to this standby");
    public static final Family PG_STAT_REPLICATION_WRITE_DIFF_BYTES = statReplication("write_diff_bytes",
            "Bytes between the primary's current WAL location and the last one written by this standby");
    public static final Family PG_STAT_REPLICATION_FLUSH_DIFF_BYTES = statReplication("flush_diff_bytes",
            "Bytes between the primary's current WAL location and the last one flushed by this standby");
    public static final Family PG_STAT_REPLICATION_REPLAY_DIFF_BYTES = statReplication("replay_diff_bytes",
            "Bytes between the primary's current WAL location and the last one replayed by this standby");
    public static final Family PG_STAT_REPLICATION_WRITE_LAG_SECONDS = statReplication("write_lag_seconds",
            "Time until this standby reported recent WAL written");
    public static final Family PG_STAT_REPLICATION_FLUSH_LAG_SECONDS = statReplication("flush_lag_seconds",
            "Time until this standby reported recent WAL flushed");
    public static final Family PG_STAT_REPLICATION_REPLAY_LAG_SECONDS = statReplication("replay_lag_seconds",
            "Time until this standby reported recent WAL replayed");

    public static final Family SYNC_STANDBYS = instance("pgpilot_sync_standbys", Type.GAUGE,
            "Standbys currently synchronous (sync_state sync or quorum), on a primary", false);
    public static final Family ARCHIVE_LAG_SECONDS = instance("pgpilot_archive_lag_seconds", Type.GAUGE,
            "Age of the oldest WAL segment waiting to be archived (0 when none waits)", false);

    // ---- control plane, registered through Micrometer by the services ----

    public static final Family FAILOVERS_TOTAL = control("pgpilot_failovers_total", "pgpilot.failovers", Type.COUNTER,
            "Automatic failovers decided (a new primary published after a failure)", false, "cluster");
    public static final Family SWITCHOVERS_TOTAL = control("pgpilot_switchovers_total", "pgpilot.switchovers", Type.COUNTER,
            "Planned switchovers decided", false, "cluster");
    public static final Family FAILOVER_DURATION = control("pgpilot_failover_duration_seconds", "pgpilot.failover.duration",
            Type.SUMMARY, "From the failure (or the decision, for a switchover) to the new primary reporting itself primary",
            false, "cluster", "kind");
    public static final Family FAILOVER_DURATION_MAX = control("pgpilot_failover_duration_seconds_max", null, Type.GAUGE,
            "Longest recent failover or switchover (Micrometer's decaying maximum)", false, "cluster", "kind");
    public static final Family TOPOLOGY_EPOCH = control("pgpilot_topology_epoch", "pgpilot.topology.epoch", Type.GAUGE,
            "Epoch of the topology in force", false, "cluster");
    public static final Family HEARTBEAT_AGE = control("pgpilot_heartbeat_age_seconds", "pgpilot.heartbeat.age", Type.GAUGE,
            "Age of the latest heartbeat of an instance as seen by the failover service", false, "cluster", "pod");
    public static final Family EVENT_LAG = control("pgpilot_event_lag_seconds", "pgpilot.event.lag", Type.GAUGE,
            "Delay between a record's publication and its application, for the latest record applied from a topic",
            false, "topic", "consumer");
    public static final Family BACKUP_LAST_SUCCESS = control("pgpilot_backup_last_success_timestamp_seconds",
            "pgpilot.backup.last.success.timestamp", Type.GAUGE,
            "When the last successful base backup of a cluster finished (seconds since the epoch); only once one is known",
            false, "cluster");

    // ---- per PgBouncer process of a pooler, by the services module (CloudNativePG's names) ----

    public static final Family PGBOUNCER_LAST_COLLECTION_ERROR = pooler("cnpg_pgbouncer_last_collection_error",
            "1 if the last collection from this PgBouncer's admin console failed, 0 otherwise");
    public static final List<Family> PGBOUNCER_LISTS = java.util.stream.Stream.of("databases", "users", "pools",
            "free_clients", "used_clients", "login_clients", "free_servers", "used_servers")
            .map(list -> pooler("cnpg_pgbouncer_lists_" + list, "SHOW LISTS: " + list.replace('_', ' '))).toList();
    public static final List<Family> PGBOUNCER_POOLS = java.util.stream.Stream.of("cl_active", "cl_waiting",
            "cl_active_cancel_req", "cl_waiting_cancel_req", "sv_active", "sv_active_cancel", "sv_being_canceled",
            "sv_idle", "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us")
            .map(column -> pooler("cnpg_pgbouncer_pools_" + column, "SHOW POOLS: " + column + " per database and user",
                    "database", "user")).toList();
    public static final List<Family> PGBOUNCER_STATS = java.util.stream.Stream.of("total_xact_count", "total_query_count",
            "total_received", "total_sent", "total_xact_time", "total_query_time", "total_wait_time", "avg_xact_count",
            "avg_query_count", "avg_recv", "avg_sent", "avg_xact_time", "avg_query_time", "avg_wait_time")
            .map(column -> pooler("cnpg_pgbouncer_stats_" + column, "SHOW STATS: " + column + " per database", "database"))
            .toList();

    private static Family statDatabase(String column, String help) {
        return instance("cnpg_pg_stat_database_" + column, Type.COUNTER, help + " in this database", false, "datname");
    }

    private static Family statReplication(String column, String help) {
        return instance("cnpg_pg_stat_replication_" + column, Type.GAUGE, help + " (primary)", false,
                "usename", "application_name", "client_addr", "client_port");
    }

    private MetricCatalog() {
    }

    public static List<Family> all() {
        return List.copyOf(FAMILIES.values());
    }

    public static List<Family> bySource(Source source) {
        return FAMILIES.values().stream().filter(f -> f.source() == source).toList();
    }

    public static Optional<Family> family(String name) {
        return Optional.ofNullable(FAMILIES.get(name));
    }

    /**
     * The family a sample or selector name belongs to: the name itself, or for a summary its
     * {@code _count} / {@code _sum} series.
     */
    public static Optional<Family> familyOfSeries(String series) {
        Family direct = FAMILIES.get(series);
        if (direct != null) {
            return Optional.of(direct);
        }
        for (String suffix : List.of("_count", "_sum", "_bucket")) {
            if (series.endsWith(suffix)) {
                Family base = FAMILIES.get(series.substring(0, series.length() - suffix.length()));
                if (base != null && base.type() == Type.SUMMARY) {
                    return Optional.of(base);
                }
            }
        }
        return Optional.empty();
    }

    public static List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(FAMILIES.keySet()));
    }
}
