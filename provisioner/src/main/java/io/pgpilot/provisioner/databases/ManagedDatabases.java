package io.pgpilot.provisioner.databases;

import io.pgpilot.events.DatabaseStatusRecord;
import io.pgpilot.model.DatabaseDefinition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles one {@code Database} manifest on the primary: observes the database and its
 * extensions, plans with {@link DatabasePlanner} and runs the statements (database-level ones on
 * the maintenance connection, extensions connected to the database itself), then reports the result.
 */
public final class ManagedDatabases {

    /** Opens a superuser connection to a database of the primary. */
    @FunctionalInterface
    public interface Connector {
        Connection connect(String database) throws SQLException;
    }

    /** The outcome of one pass. */
    public record Outcome(DatabaseStatusRecord.Phase phase, String message, List<String> extensions, int statements) {
    }

    private ManagedDatabases() {
    }

    public static Outcome reconcile(Connector connector, DatabaseDefinition d) throws SQLException {
        int ran = 0;
        try (Connection maintenance = connector.connect("postgres")) {
            maintenance.setAutoCommit(true); // CREATE/DROP DATABASE cannot run in a transaction block
            ObservedDatabase before = observe(connector, maintenance, d.database());
            DatabasePlanner.Plan plan = DatabasePlanner.plan(d, before);
            Connection inside = null;
            try {
                for (DatabaseAction action : plan.actions()) {
                    try {
                        if (action.inDatabase()) {
                            if (inside == null) {
                                inside = connector.connect(d.database());
                                inside.setAutoCommit(true);
                            }
                            execute(inside, action.sql());
                        } else {
                            execute(maintenance, action.sql());
                        }
                        ran++;
                    } catch (SQLException e) {
                        return new Outcome(DatabaseStatusRecord.Phase.FAILED, action.sql() + " failed: " + e.getMessage(),
                                extensions(connector, maintenance, d), ran);
                    }
                }
            } finally {
                if (inside != null) {
                    inside.close();
                }
            }
            if (!d.present()) {
                return new Outcome(DatabaseStatusRecord.Phase.DROPPED, null, List.of(), ran);
            }
            List<String> extensions = extensions(connector, maintenance, d);
            return plan.conflict() == null
                    ? new Outcome(DatabaseStatusRecord.Phase.APPLIED, null, extensions, ran)
                    : new Outcome(DatabaseStatusRecord.Phase.FAILED, plan.conflict(), extensions, ran);
        }
    }

    private static List<String> extensions(Connector connector, Connection maintenance, DatabaseDefinition d) throws SQLException {
        ObservedDatabase now = observe(connector, maintenance, d.database());
        return now == null ? List.of() : now.extensions().keySet().stream().sorted().toList();
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static ObservedDatabase observe(Connector connector, Connection maintenance, String name) throws SQLException {
        ObservedDatabase db;
        try (PreparedStatement st = maintenance.prepareStatement("""
                SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype, datconnlimit, datallowconn
                FROM pg_database WHERE datname = ?""")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                db = new ObservedDatabase(name, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        rs.getBoolean(6), Map.of());
            }
        }
        if (!db.allowConnections()) {
            return db;
        }
        Map<String, ObservedDatabase.InstalledExtension> extensions = new HashMap<>();
        try (Connection c = connector.connect(name); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace")) {
            while (rs.next()) {
                extensions.put(rs.getString(1), new ObservedDatabase.InstalledExtension(rs.getString(2), rs.getString(3)));
            }
        }
        return new ObservedDatabase(db.name(), db.owner(), db.encoding(), db.lcCollate(), db.lcCtype(), db.connectionLimit(),
                db.allowConnections(), extensions);
    }
}
