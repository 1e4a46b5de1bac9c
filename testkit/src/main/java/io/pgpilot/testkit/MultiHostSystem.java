package io.pgpilot.testkit;

import io.pgpilot.testkit.NetworkTestBed.Host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * An HA PostgreSQL system with one member per host of a {@link NetworkTestBed} (root link on, the
 * benchmark's client in the root namespace), as {@link MultiHostBenchmark} drives it: where clients
 * write, which host runs the primary, which members accept writes, whether it is healthy again, and how
 * a host's software comes back after a power loss. Benchmark use only.
 */
public sealed interface MultiHostSystem extends AutoCloseable permits PgpilotOnBed, PatroniOnBed {

    /** What the benchmark's clients and probes log in with (never printed). */
    record Login(String user, String database, String password, boolean tls) {
        @Override
        public String toString() {
            return "Login[" + user + "@" + database + "]";
        }
    }

    /** e.g. "pgpilot" or "Patroni (documented)". */
    String name();

    /** The settings that matter for failover, for the results file. */
    String settings();

    NetworkTestBed bed();

    /** {@code host:port} of the read-write endpoint, reached from the root namespace. */
    String rwEndpoint();

    Login application();

    /** The superuser, for the probes that ask each member directly. */
    Login superuser();

    /** Every member's PostgreSQL: bed host -> {@code address:port}. */
    Map<Host, String> members();

    /** The host whose member is the primary now. */
    Host primaryHost();

    /** Three members, one primary, both replicas streaming. */
    boolean healthy();

    /** Power is back on {@code host}: its software starts again on the data it left. */
    void powerBack(Host host);

    @Override
    void close();

    /** The hosts whose member answers from the root namespace and is not in recovery (a cut-off member cannot be asked). */
    default List<Host> writablePrimaries() {
        List<Host> writable = new ArrayList<>();
        members().forEach((host, address) -> {
            if (inRecovery(address).filter(recovery -> !recovery).isPresent()) {
                writable.add(host);
            }
        });
        return writable;
    }

    /** {@code pg_is_in_recovery()} of the member at {@code address}, empty when it does not answer. */
    default Optional<Boolean> inRecovery(String address) {
        return inRecovery(address, superuser());
    }

    /** {@code pg_is_in_recovery()} of the server at {@code address} asked as {@code login}, empty when it does not answer. */
    static Optional<Boolean> inRecovery(String address, Login login) {
        Properties props = new Properties();
        props.setProperty("user", login.user());
        props.setProperty("password", login.password());
        props.setProperty("sslmode", login.tls() ? "require" : "disable");
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "3");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + address + "/postgres", props);
             ResultSet rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
            rs.next();
            return Optional.of(rs.getBoolean(1));
        } catch (SQLException down) {
            return Optional.empty();
        }
    }

    /**
     * What the member on {@code host} says when asked from inside that host (over its own address, so an
     * isolated host can still be asked): "down", "replica" or "WRITABLE". A password file in {@code dir}
     * keeps the password off the command line.
     */
    default String askedLocally(Host host, Path dir) {
        String address = members().get(host);
        int colon = address.lastIndexOf(':');
        Login login = superuser();
        Path pgpass = dir.resolve("probe.pgpass");
        try {
            Files.writeString(pgpass, "*:*:*:" + login.user() + ":" + login.password() + "\n");
            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String out = bed().exec(host, "timeout", "5", "env", "PGPASSFILE=" + pgpass, "PGCONNECT_TIMEOUT=2", "psql",
                    "-h", address.substring(0, colon), "-p", address.substring(colon + 1), "-U", login.user(), "-d", "postgres",
                    "-At", "-c", "select pg_is_in_recovery()").strip();
            return "f".equals(out) ? "WRITABLE" : "replica";
        } catch (IllegalStateException down) {
            return "down";
        }
    }
}
