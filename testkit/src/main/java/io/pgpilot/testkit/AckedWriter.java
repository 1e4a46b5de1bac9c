package io.pgpilot.testkit;

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
 * (autocommit) and remembers every id whose COMMIT was acknowledged, with the time of the ack. On
 * any error it reconnects, as a real client would. Used to prove that no acknowledged commit is
 * ever lost and to measure the write outage around a failover.
 */
public final class AckedWriter implements AutoCloseable {

    /** An acknowledged commit: row id, when the ack arrived (nanoTime and wall clock), which server. */
    public record Ack(long id, long nanos, long epochMillis, String server) {
    }

    private final String url;
    private final Properties properties = new Properties();
    private final String table;
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicLong errors = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public AckedWriter(String hostPort, String database, String user, String password, String table, int threadCount) {
        this.url = "jdbc:postgresql://" + hostPort + "/" + database;
        this.table = table;
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "10");
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
                    acks.add(new Ack(id, System.nanoTime(), System.currentTimeMillis(), server));
                }
            } catch (SQLException e) {
                errors.incrementAndGet();
                // a client's reconnect back-off (not a wait for an outcome): keeps a refused
                // endpoint from turning the writers into a busy loop on this 2-core machine
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
        }
    }

    private static String serverOf(Connection connection) throws SQLException {
        try (var rs = connection.createStatement().executeQuery("select current_setting('cluster_name')")) {
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
        return errors.get();
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
