package io.pgpilot.provisioner;

import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.model.PoolerAuth;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PgBouncer pooler needs on the primary to authenticate clients without any application
 * password in its files (CloudNativePG's design): the login role {@value #ROLE} (password in the
 * cluster's {@code -pooler} secret) and, in every database a client may ask for, the SECURITY DEFINER
 * lookup {@code public.user_search(uname)} over {@code pg_shadow}, executable by that role only.
 * Debian's PgBouncer 1.18 has no {@code auth_dbname}, so its auth query runs in the database the client
 * names: the function goes into {@code template1} too, so that databases created later have it.
 * Idempotent; runs with the superuser whenever the provisioner ensures the cluster's roles and database.
 */
final class PoolerAuthSetup {

    static final String ROLE = PoolerAuth.ROLE;

    private PoolerAuthSetup() {
    }

    static void ensure(InstanceBackend postgres, InstanceEndpoint primary, Credentials superuser, Credentials pooler) {
        List<String> databases = new ArrayList<>();
        try (Connection c = postgres.connect(primary, "postgres", superuser); Statement st = c.createStatement()) {
            st.execute("SET synchronous_commit = local");
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, ROLE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        st.execute("CREATE ROLE " + ROLE + " WITH LOGIN");
                    }
                }
            }
            c.unwrap(PGConnection.class).alterUserPassword(ROLE, pooler.password().toCharArray(), "scram-sha-256");
            try (ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new ProvisioningException(Reason.BOOTSTRAP_SQL, "cannot create the pooler role (SQLState " + e.getSQLState() + ")", e);
        }
        for (String database : databases) {
            try (Connection c = postgres.connect(primary, database, superuser); Statement st = c.createStatement()) {
                // all or nothing: never a lookup function that PUBLIC may execute
                c.setAutoCommit(false);
                st.execute("SET LOCAL synchronous_commit = local");
                for (String statement : PoolerAuth.LOOKUP_FUNCTION) {
                    st.execute(statement);
                }
                st.execute(PoolerAuth.grantConnect(database));
                c.commit();
            } catch (SQLException e) {
                throw new ProvisioningException(Reason.BOOTSTRAP_SQL, "cannot create the pooler lookup in database "
                        + database + " (SQLState " + e.getSQLState() + ")", e);
            }
        }
    }
}
