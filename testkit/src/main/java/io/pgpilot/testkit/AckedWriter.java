package io.pgpilot.testkit;

import io.pgpilot.launcher.Waits;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pgbench-style write load through one endpoint: each thread inserts one row per transaction
 * (autocommit) and remembers every id whose COMMIT was acknowledged, with the time of the ack. It
 * behaves like a real application: connect timeout 2 s, statement timeout 5 s, socket timeout 5 s,
 * and on any error it reconnects after a short back-off (50 ms). Every error is recorded with its
 * SQLSTATE and time. A commit acknowledged with a warning (PostgreSQL's "canceling wait for
 * synchronous replication": committed locally only) does not count as acknowledged. Used to prove
 * that no acknowledged commit is ever lost, that rw never reaches a read-only server, and to measure
 * the write outage clients see around a failover.
 */
public final class AckedWriter implements AutoCloseable {

    /** An acknowledged commit: row id, when the ack arrived (nanoTime and wall clock), which server. */
    public record Ack(long id, long nanos, long epochMillis, String server) {
    }

    /** A failed attempt (connect or statement): when (nanoTime and wall clock) and its SQLSTATE (null when none). */
    public record Failure(long nanos, long epochMillis, String sqlState, String message) {

        /** SQLSTATE 25006: the server was in recovery (a read-only transaction). */
        public boolean readOnly() {
            return READ_ONLY.equals(sqlState);
        }
    }

    /** Names the server that acknowledged by its {@code cluster_name}: pgpilot sets it to the instance name. */
    public static final String BY_CLUSTER_NAME = "select current_setting('cluster_name')";
    /**
     * Names the server by the address that accepted the connection: for peers that give every member
     * the same {@code cluster_name} (Patroni sets it to its scope), and across hosts (one address per node).
     */
    public static final String BY_ADDRESS = "select host(inet_server_addr())";

    /** SQLSTATE read_only_sql_transaction. */
    public static final String READ_ONLY = "25006";

    private static final long BACKOFF_NANOS = 50_000_000L;

    private final String url;
    private final Properties properties = new Properties();
    private final String table;
    private final String serverQuery;
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong unreplicated = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public AckedWriter(String hostPort, String database, String user, String password, String table, int threadCount) {
        this(hostPort, database, user, password, table, threadCount, BY_CLUSTER_NAME);
    }

    /** @param serverQuery how an {@link Ack} names its server: {@link #BY_CLUSTER_NAME} or {@link #BY_ADDRESS} */
    public AckedWriter(String hostPort, String database, String user, String password, String table, int threadCount,
                       String serverQuery) {
        this.serverQuery = serverQuery;
        this.url = "jdbc:postgresql://" + hostPort + "/" + database;
        this.table = table;
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        properties.setProperty("options", "-c statement_timeout=5000");
        properties.setProperty("tcpKeepAlive", "true");
        for (int i = 0; i < threadCount; i++) {
            threads.add(Thread.ofPlatform().name("writer-" + i).daemon().unstarted(this::loop));
        }
    }

    /** Creates the table through the endpoint (retrying until it accepts writes). */
    public static void createTable(String hostPort, String database, String user, String password, String table) {
        Waits.until("a writable " + hostPort, Duration.ofSeconds(60), () -> {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + database, user, password)) {
                c.createStatement().execute("create table if not exists " + table
                        + " (id bigint primary key, at timestamptz not null default clock_timestamp())");
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    public AckedWriter start() {
        threads.forEach(Thread::start);
        return this;
    }

    private void loop() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, properties);
                 PreparedStatement insert = connection.prepareStatement("insert into " + table + " (id) values (?)")) {
                String server = serverOf(connection);
                while (running) {
                    long id = nextId.getAndIncrement();
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    if (insert.getWarnings() != null) {
                        // e.g. the sync-replication wait was cancelled: committed locally only, not acknowledged
                        unreplicated.incrementAndGet();
                        insert.clearWarnings();
                        continue;
                    }
                    acks.add(new Ack(id, System.nanoTime(), System.currentTimeMillis(), server));
                }
            } catch (SQLException e) {
                failures.add(new Failure(System.nanoTime(), System.currentTimeMillis(), e.getSQLState(), String.valueOf(e.getMessage())));
                // a client's reconnect back-off (not a wait for an outcome): keeps a refused
                // endpoint from turning the writers into a busy loop on this 2-core machine
                java.util.concurrent.locks.LockSupport.parkNanos(BACKOFF_NANOS);
            }
        }
    }

    private String serverOf(Connection connection) throws SQLException {
        try (var rs = connection.createStatement().executeQuery(serverQuery)) {
            rs.next();
            return rs.getString(1);
        }
    }

    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    public long ackCount() {
        return acks.size();
    }

    public long errors() {
        return failures.size();
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Errors with SQLSTATE 25006: a connection through the endpoint reached a server in recovery. */
    public long readOnlyErrors() {
        return failures.stream().filter(Failure::readOnly).count();
    }

    /** Commits that returned with a warning (committed locally, replication not confirmed): not in {@link #acks()}. */
    public long unreplicatedCommits() {
        return unreplicated.get();
    }

    /** Acks after the writers' last error (all of them when there was none). */
    public long acksAfterLastFailure() {
        long last = failures.stream().mapToLong(Failure::nanos).max().orElse(Long.MIN_VALUE);
        return acks.stream().filter(a -> a.nanos() > last).count();
    }

    /** How many of {@code ids} are in {@code table}, read through {@code hostPort}: the lost-commit check. */
    public static long countPresent(String hostPort, String database, String user, String password, String table, List<Long> ids)
            throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + database, user, password);
             var statement = c.prepareStatement("select count(*) from " + table + " where id = any(?)")) {
            statement.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (var rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Acks from a server other than {@code server}, after the given nanoTime. */
    public long acksFromOtherThan(String server, long afterNanos) {
        return acks.stream().filter(a -> !a.server().equals(server) && a.nanos() > afterNanos).count();
    }

    public void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
