package io.pgpilot.services.pooler;

import io.pgpilot.local.OsUser;
import io.pgpilot.model.PoolerAuth;
import io.pgpilot.model.PoolerDefinition;
import io.pgpilot.model.PoolerValidator;
import io.pgpilot.services.pooler.PgBouncerConfig.Target;
import io.pgpilot.launcher.FreePorts;
import io.pgpilot.testkit.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real PgBouncer 1.18 processes (two on one port with so_reuseport) in front of a real PostgreSQL
 * that demands SCRAM: authentication through auth_query and the pooler's own role only, pause and
 * resume, and 1000 client connections served by a server that allows 40.
 */
class PgBouncerIT {

    static final String APP_PASSWORD = "app-Secret-" + Long.toHexString(System.nanoTime());
    static final String POOLER_PASSWORD = "pooler-Secret-" + Long.toHexString(System.nanoTime());
    static final String ADMIN_PASSWORD = "admin-Secret-" + Long.toHexString(System.nanoTime());
    static final String SUPERUSER_PASSWORD = "su-Secret-" + Long.toHexString(System.nanoTime());
    static final OsUser USER = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);

    @TempDir
    static Path tmp;
    static TestPostgres pg;
    static Path poolerDir;
    static int port;
    static List<PgBouncerProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start(tmp.resolve("pg"), "primary", List.of("max_connections = 40"));
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE postgres PASSWORD '" + SUPERUSER_PASSWORD + "'");
            st.execute("CREATE ROLE " + PoolerAuth.ROLE + " LOGIN PASSWORD '" + POOLER_PASSWORD + "'");
            st.execute("CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'");
            st.execute("CREATE DATABASE app OWNER app");
        }
        for (String database : List.of("postgres", "app", "template1")) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database), "postgres", "");
                 Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (String statement : PoolerAuth.LOOKUP_FUNCTION) {
                    st.execute(statement);
                }
                st.execute(PoolerAuth.grantConnect(database));
                c.commit();
            }
        }
        // from now on the server demands SCRAM over TCP, as the platform's instances do
        Files.writeString(pg.dataDir().resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Connection ignored = DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "")) {
                return false;
            } catch (SQLException e) {
                return true;
            }
        });

        PoolerDefinition pooler = PoolerValidator.parseAndValidate("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Pooler
                metadata: {name: pooler-it}
                spec:
                  cluster: {name: it}
                  instances: 2
                  pgbouncer:
                    poolMode: transaction
                    parameters: {max_client_conn: "1100", default_pool_size: "10"}
                """);
        poolerDir = tmp.resolve("poolers").resolve(pooler.name());
        USER.createPrivateDirectory(poolerDir);
        Path hba = poolerDir.resolve("pg_hba.conf");
        Path auth = poolerDir.resolve("userlist.txt");
        Path passfile = poolerDir.resolve("admin.pgpass");
        PgBouncerProcess.writePrivate(USER, hba, PgBouncerConfig.hba());
        PgBouncerProcess.writePrivate(USER, auth, PgBouncerConfig.authFile(PoolerAuth.ROLE, POOLER_PASSWORD, ADMIN_PASSWORD));
        PgBouncerProcess.writePrivate(USER, passfile, PgBouncerConfig.adminPassfile(ADMIN_PASSWORD));
        port = FreePorts.next();
        for (int i = 1; i <= pooler.instances(); i++) {
            PgBouncerProcess process = new PgBouncerProcess("/usr/sbin/pgbouncer", USER, poolerDir.resolve(String.valueOf(i)), port, passfile);
            process.writeConfig(PgBouncerConfig.ini(pooler, "127.0.0.1", port, process.directory(), hba, auth,
                    PoolerAuth.ROLE, null, new Target("127.0.0.1", pg.port())));
            process.start();
            processes.add(process);
        }
    }

    @AfterAll
    static void stop() {
        processes.forEach(PgBouncerProcess::stop);
        if (pg != null) {
            pg.close();
        }
    }

    static Connection viaPooler(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("prepareThreshold", "0"); // transaction pooling: no named server-side statements
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void anApplicationLogsInWithItsOwnPasswordInEveryDatabase() throws Exception {
        try (Connection c = viaPooler("app", "app", APP_PASSWORD)) {
            assertThat(one(c, "select current_user")).isEqualTo("app");
            assertThat(one(c, "select current_database()")).isEqualTo("app");
        }
        try (Connection c = viaPooler("postgres", "app", APP_PASSWORD)) {
            assertThat(one(c, "select current_database()")).isEqualTo("postgres");
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownRoleIsRefused() {
        assertThatThrownBy(() -> viaPooler("app", "app", "not-the-password").close())
                .isInstanceOf(SQLException.class).satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08P01"));
        assertThatThrownBy(() -> viaPooler("app", "nobody", "whatever").close()).isInstanceOf(SQLException.class);
    }

    @Test
    void theLookupFunctionIsNotForEveryone() throws Exception {
        try (Connection c = viaPooler("app", "app", APP_PASSWORD); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("select * from public.user_search('postgres')"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void noApplicationPasswordIsInAnyPoolerFileOrCommandLine() throws Exception {
        try (Stream<Path> files = Files.walk(poolerDir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".s.PGSQL")).toList()) {
                String text = Files.readString(file);
                assertThat(text).as(file.toString()).doesNotContain(APP_PASSWORD).doesNotContain(SUPERUSER_PASSWORD);
                if (!file.getFileName().toString().equals("userlist.txt")) {
                    assertThat(text).as(file.toString()).doesNotContain(POOLER_PASSWORD);
                }
            }
        }
        for (String secretFile : List.of("userlist.txt", "admin.pgpass", "pg_hba.conf", "1/pgbouncer.ini")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(poolerDir.resolve(secretFile))))
                    .as(secretFile).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(poolerDir))).isEqualTo("rwx------");
        for (PgBouncerProcess process : processes) {
            String args = ProcessHandle.of(process.pid()).orElseThrow().info().arguments().map(a -> String.join(" ", a)).orElse("");
            assertThat(args).doesNotContain(POOLER_PASSWORD).doesNotContain(APP_PASSWORD);
        }
    }

    @Test
    void pausedPoolersHoldQueriesUntilResumed() throws Exception {
        try (Connection c = viaPooler("app", "app", APP_PASSWORD)) {
            for (PgBouncerProcess process : processes) {
                assertThat(process.pauseAndWait(Duration.ofSeconds(10))).isTrue();
            }
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return one(c, "select 'served'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> processes.stream().mapToInt(PgBouncerIT::waitingClients).sum() >= 1);
            assertThat(held).isNotDone();
            processes.forEach(PgBouncerProcess::resume);
            assertThat(held.get()).isEqualTo("served");
        }
    }

    static int waitingClients(PgBouncerProcess process) {
        List<String> rows = process.show("POOLS");
        List<String> header = List.of(rows.getFirst().split("\\|"));
        int column = header.indexOf("cl_waiting");
        return rows.stream().skip(1).mapToInt(row -> Integer.parseInt(row.split("\\|")[column])).sum();
    }

    @Test
    void aThousandClientsAreServedByAServerThatAllowsForty() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Connection> open = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                results.add(pool.submit(() -> {
                    Connection c = viaPooler("app", "app", APP_PASSWORD);
                    open.add(c);
                    return one(c, "select 1");
                }));
            }
            for (Future<String> result : results) {
                assertThat(result.get()).isEqualTo("1");
            }
            assertThat(open).hasSize(1000);
        } finally {
            open.forEach(c -> {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing is best effort
                }
            });
            pool.shutdownNow();
        }
    }
}
