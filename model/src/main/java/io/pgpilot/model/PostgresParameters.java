package io.pgpilot.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL parameters a manifest may set: an ALLOWLIST (PostgreSQL 15 names, compared case
 * insensitively). Everything else is refused, in particular what pgpilot owns (ports, addresses,
 * replication, WAL, archiving, recovery, logging files, TLS files), what runs a command
 * ({@code *_command}), loads code ({@code *_preload_libraries}, {@code dynamic_library_path},
 * {@code jit_provider}) or points at a file or directory, and the configuration-file directives
 * {@code include}, {@code include_dir}, {@code include_if_exists}. CloudNativePG's fixed and
 * blocked parameter lists were the reference. Pure.
 */
public final class PostgresParameters {

    /** At most this many parameters per manifest; more is a mistake or an attack. */
    public static final int MAX_PARAMETERS = 100;
    public static final int MAX_VALUE_LENGTH = 1024;

    /** Libraries {@code shared_preload_libraries} may name (PostgreSQL's contrib modules shipped with the server). */
    public static final Set<String> PRELOAD_LIBRARIES = Set.of("pg_stat_statements", "auto_explain", "pg_prewarm",
            "passwordcheck", "auth_delay");

    /** Custom parameters of the allowed libraries ({@code <prefix>.<name>}). */
    private static final Set<String> EXTENSION_PREFIXES = PRELOAD_LIBRARIES;

    private static final Set<String> ALLOWED = Set.of(
            // connections and resources
            "max_connections", "superuser_reserved_connections", "shared_buffers", "huge_pages", "huge_page_size",
            "temp_buffers", "max_prepared_transactions", "work_mem", "hash_mem_multiplier", "maintenance_work_mem",
            "autovacuum_work_mem", "logical_decoding_work_mem", "max_stack_depth", "shared_memory_type",
            "dynamic_shared_memory_type", "min_dynamic_shared_memory", "temp_file_limit", "max_files_per_process",
            "max_locks_per_transaction", "max_pred_locks_per_transaction", "max_pred_locks_per_relation",
            "max_pred_locks_per_page", "tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count",
            "tcp_user_timeout", "client_connection_check_interval", "authentication_timeout",
            "shared_preload_libraries",
            // background writer, I/O, parallelism
            "bgwriter_delay", "bgwriter_lru_maxpages", "bgwriter_lru_multiplier", "bgwriter_flush_after",
            "backend_flush_after", "effective_io_concurrency", "maintenance_io_concurrency", "max_worker_processes",
            "max_parallel_workers", "max_parallel_workers_per_gather", "max_parallel_maintenance_workers",
            "parallel_leader_participation", "old_snapshot_threshold",
            // WAL tuning that does not touch replication or archiving
            "wal_buffers", "wal_writer_delay", "wal_writer_flush_after", "wal_compression", "wal_init_zero", "wal_recycle",
            "commit_delay", "commit_siblings", "checkpoint_timeout", "checkpoint_completion_target",
            "checkpoint_flush_after", "checkpoint_warning", "max_wal_size", "min_wal_size", "wal_skip_threshold",
            "synchronous_commit", "hot_standby_feedback", "max_standby_archive_delay", "max_standby_streaming_delay",
            "max_slot_wal_keep_size", "max_logical_replication_workers", "max_sync_workers_per_subscription",
            "recovery_prefetch", "wal_decode_buffer_size",
            // planner
            "enable_async_append", "enable_bitmapscan", "enable_gathermerge", "enable_hashagg", "enable_hashjoin",
            "enable_incremental_sort", "enable_indexonlyscan", "enable_indexscan", "enable_material", "enable_memoize",
            "enable_mergejoin", "enable_nestloop", "enable_parallel_append", "enable_parallel_hash",
            "enable_partition_pruning", "enable_partitionwise_aggregate", "enable_partitionwise_join", "enable_seqscan",
            "enable_sort", "enable_tidscan", "seq_page_cost", "random_page_cost", "cpu_tuple_cost",
            "cpu_index_tuple_cost", "cpu_operator_cost", "parallel_setup_cost", "parallel_tuple_cost",
            "min_parallel_table_scan_size", "min_parallel_index_scan_size", "effective_cache_size", "jit",
            "jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost", "geqo", "geqo_threshold",
            "geqo_effort", "geqo_pool_size", "geqo_generations", "geqo_selection_bias", "geqo_seed",
            "default_statistics_target", "constraint_exclusion", "cursor_tuple_fraction", "from_collapse_limit",
            "join_collapse_limit", "plan_cache_mode", "recursive_worktable_factor",
            // what is logged (not where)
            "log_min_messages", "log_min_error_statement", "log_min_duration_statement", "log_min_duration_sample",
            "log_statement_sample_rate", "log_transaction_sample_rate", "log_startup_progress_interval",
            "log_checkpoints", "log_connections", "log_disconnections", "log_duration", "log_error_verbosity",
            "log_hostname", "log_lock_waits", "log_recovery_conflict_waits", "log_parameter_max_length",
            "log_parameter_max_length_on_error", "log_statement", "log_replication_commands", "log_temp_files",
            "log_timezone", "log_autovacuum_min_duration", "log_parser_stats", "log_planner_stats",
            "log_executor_stats", "log_statement_stats", "debug_pretty_print", "debug_print_parse",
            "debug_print_plan", "debug_print_rewritten",
            // statistics
            "track_activities", "track_activity_query_size", "track_counts", "track_io_timing", "track_wal_io_timing",
            "track_functions", "track_commit_timestamp", "stats_fetch_consistency", "compute_query_id",
            "update_process_title",
            // vacuum
            "autovacuum", "autovacuum_max_workers", "autovacuum_naptime", "autovacuum_vacuum_threshold",
            "autovacuum_vacuum_insert_threshold", "autovacuum_analyze_threshold", "autovacuum_vacuum_scale_factor",
            "autovacuum_vacuum_insert_scale_factor", "autovacuum_analyze_scale_factor", "autovacuum_freeze_max_age",
            "autovacuum_multixact_freeze_max_age", "autovacuum_vacuum_cost_delay", "autovacuum_vacuum_cost_limit",
            "vacuum_cost_delay", "vacuum_cost_page_hit", "vacuum_cost_page_miss", "vacuum_cost_page_dirty",
            "vacuum_cost_limit", "vacuum_freeze_min_age", "vacuum_freeze_table_age", "vacuum_multixact_freeze_min_age",
            "vacuum_multixact_freeze_table_age", "vacuum_failsafe_age", "vacuum_multixact_failsafe_age",
            "gin_pending_list_limit", "gin_fuzzy_search_limit",
            // client defaults
            "client_min_messages", "search_path", "row_security", "default_table_access_method", "default_tablespace",
            "temp_tablespaces", "default_toast_compression", "check_function_bodies", "default_transaction_isolation",
            "default_transaction_read_only", "default_transaction_deferrable", "statement_timeout", "lock_timeout",
            "idle_in_transaction_session_timeout", "idle_session_timeout", "bytea_output", "xmlbinary", "xmloption",
            "datestyle", "intervalstyle", "timezone", "timezone_abbreviations", "extra_float_digits", "client_encoding",
            "lc_messages", "lc_monetary", "lc_numeric", "lc_time", "default_text_search_config", "deadlock_timeout",
            "array_nulls", "backslash_quote", "escape_string_warning", "lo_compat_privileges", "quote_all_identifiers",
            "standard_conforming_strings", "synchronize_seqscans", "transform_null_equals", "exit_on_error",
            "password_encryption");

    /** Why a name is refused, for the error: the families pgpilot owns or that reach outside the database. */
    private static final List<String> OWNED_PREFIXES = List.of("archive_", "restore_", "recovery_", "primary_", "ssl",
            "unix_socket_", "wal_", "synchronous_standby", "log_", "hot_standby", "include");

    private PostgresParameters() {
    }

    /** Null when {@code name = value} may be set from a manifest; otherwise the reason (never echoing the value unbounded). */
    public static Optional<String> refusal(String name, String value) {
        if (name == null || !Names.PG_PARAMETER.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
            return Optional.of("is not a valid PostgreSQL parameter name");
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (!allowed(key)) {
            boolean owned = OWNED_PREFIXES.stream().anyMatch(key::startsWith) || key.endsWith("_command")
                    || key.endsWith("_file") || key.endsWith("_directory") || key.endsWith("_libraries")
                    || Set.of("port", "listen_addresses", "data_directory", "cluster_name", "fsync", "full_page_writes",
                    "restart_after_crash", "dynamic_library_path", "extension_destdir", "jit_provider").contains(key);
            return Optional.of(owned
                    ? "is managed by pgpilot or reaches outside the database (runs a command, loads a library or names a file) and cannot be set"
                    : "is not a PostgreSQL parameter a manifest may set (see docs/security.md for the allowed list)");
        }
        if (value == null) {
            return Optional.of("needs a value");
        }
        if (value.length() > MAX_VALUE_LENGTH || !singleLine(value)) {
            return Optional.of("value must be a single line of at most " + MAX_VALUE_LENGTH + " characters without control characters");
        }
        if (key.equals("shared_preload_libraries")) {
            List<String> unknown = new ArrayList<>();
            for (String library : value.split(",", -1)) {
                String l = library.strip();
                if (!PRELOAD_LIBRARIES.contains(l)) {
                    unknown.add("'" + Names.printable(l) + "'");
                }
            }
            if (!unknown.isEmpty()) {
                return Optional.of("may only name " + PRELOAD_LIBRARIES.stream().sorted().toList() + ", not " + String.join(", ", unknown));
            }
        }
        return Optional.empty();
    }

    static boolean allowed(String key) {
        if (ALLOWED.contains(key)) {
            return true;
        }
        int dot = key.indexOf('.');
        return dot > 0 && EXTENSION_PREFIXES.contains(key.substring(0, dot)) && key.indexOf('.', dot + 1) < 0;
    }

    /** No character that could end the line or the quoted string in postgresql.conf in any reader. */
    static boolean singleLine(String value) {
        return value.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029);
    }
}
