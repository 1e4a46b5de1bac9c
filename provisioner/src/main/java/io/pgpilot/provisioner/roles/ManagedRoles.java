package io.pgpilot.provisioner.roles;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.RoleDefinition;
import io.pgpilot.support.security.SecretFiles;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reconciles {@code spec.managed.roles} on the primary over a superuser connection: reads the
 * listed roles, resolves passwords from their secrets, plans with {@link RolePlanner} and runs each
 * statement on its own, so that one failing role (e.g. a DROP of a role that still owns objects)
 * does not hold back the others. Passwords are hashed on the client ({@link PGConnection#alterUserPassword}),
 * never sent as SQL text, logged or reported.
 */
public final class ManagedRoles {

    /** Per role: reconciled, or why not (a message without secrets). */
    /** {@code reconciled}: sorted by name, so that two passes with the same result compare equal. */
    public record Outcome(Map<String, String> failed, List<String> reconciled, int statements) {
        public Outcome {
            failed = Map.copyOf(failed);
            reconciled = reconciled.stream().sorted().toList();
        }
    }

    private static final String OBSERVE = """
            SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication,
                   r.rolbypassrls, r.rolconnlimit, r.rolvaliduntil, a.rolpassword, shobj_description(r.oid, 'pg_authid'),
                   ARRAY(SELECT p.rolname FROM pg_auth_members m JOIN pg_roles p ON p.oid = m.roleid WHERE m.member = r.oid)
            FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname = ANY (?)""";

    private final SecretFiles secrets;

    public ManagedRoles(SecretFiles secrets) {
        this.secrets = secrets;
    }

    public Outcome reconcile(Connection superuser, ClusterDefinition cluster) throws SQLException {
        List<RoleDefinition> desired = cluster.roles();
        if (desired.isEmpty()) {
            return new Outcome(Map.of(), List.of(), 0);
        }
        Map<String, ObservedRole> observed = observe(superuser, desired.stream().map(RoleDefinition::name).toList());
        Map<String, DesiredPassword> passwords = new HashMap<>();
        for (RoleDefinition role : desired) {
            if (role.present() && role.passwordSecret() != null) {
                passwords.put(role.name(), password(role));
            }
        }
        RolePlanner.Plan plan = RolePlanner.plan(desired, observed, passwords);
        Map<String, String> failed = new LinkedHashMap<>(plan.skipped());
        boolean autoCommit = superuser.getAutoCommit();
        superuser.setAutoCommit(true);
        int ran = 0;
        try {
            for (RoleAction action : plan.actions()) {
                if (failed.containsKey(action.role())) {
                    continue; // an earlier step of this role failed: the rest would fail or mislead
                }
                try {
                    if (action instanceof RoleAction.SetPassword set) {
                        superuser.unwrap(PGConnection.class).alterUserPassword(set.role(), set.password().toCharArray(), "scram-sha-256");
                    } else {
                        try (Statement st = superuser.createStatement()) {
                            st.execute(action.sql().orElseThrow());
                        }
                    }
                    ran++;
                } catch (SQLException e) {
                    failed.put(action.role(), describe(action) + " failed: " + e.getMessage());
                }
            }
        } finally {
            superuser.setAutoCommit(autoCommit);
        }
        Set<String> reconciled = new java.util.TreeSet<>();
        desired.stream().map(RoleDefinition::name).filter(n -> !failed.containsKey(n)).forEach(reconciled::add);
        return new Outcome(failed, List.copyOf(reconciled), ran);
    }

    private static String describe(RoleAction action) {
        return switch (action) {
            case RoleAction.SetPassword s -> "setting the password";
            default -> action.sql().orElse(action.getClass().getSimpleName());
        };
    }

    private DesiredPassword password(RoleDefinition role) {
        try {
            String username = secrets.userValue(role.passwordSecret(), "username");
            if (!username.equals(role.name())) {
                return new DesiredPassword.Unavailable("secret " + role.passwordSecret() + " is for user '" + username
                        + "', not for role " + role.name());
            }
            return new DesiredPassword.Value(secrets.userValue(role.passwordSecret(), "password"));
        } catch (SecretFiles.SecretException e) {
            return new DesiredPassword.Unavailable(e.getMessage());
        }
    }

    static Map<String, ObservedRole> observe(Connection c, List<String> names) throws SQLException {
        Map<String, ObservedRole> result = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(OBSERVE)) {
            st.setArray(1, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Timestamp until = rs.getTimestamp(10);
                    Instant validUntil = until == null || until.getTime() == PGStatement.DATE_POSITIVE_INFINITY ? null : until.toInstant();
                    Array parents = rs.getArray(13);
                    Set<String> memberOf = parents == null ? Set.of() : Set.of((String[]) parents.getArray());
                    result.put(rs.getString(1), new ObservedRole(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
                            rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getInt(9), validUntil,
                            rs.getString(11), rs.getString(12), memberOf));
                }
            }
        }
        return result;
    }
}
