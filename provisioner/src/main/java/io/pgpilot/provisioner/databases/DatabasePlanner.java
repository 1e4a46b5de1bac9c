package io.pgpilot.provisioner.databases;

import io.pgpilot.model.DatabaseDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.pgpilot.provisioner.databases.DatabaseAction.ident;
import static io.pgpilot.provisioner.databases.DatabaseAction.literal;

/**
 * A {@code Database} manifest against what PostgreSQL has, pure (CloudNativePG's database
 * reconciler): create or drop the database, align owner, connection limit and whether it accepts
 * connections, then its extensions. Encoding and locale are fixed at creation: a difference is
 * reported, never "fixed" by re-creating the database.
 */
public final class DatabasePlanner {

    /** The statements to run, and a conflict that cannot be reconciled (null when none). */
    public record Plan(List<DatabaseAction> actions, String conflict) {
        public Plan {
            actions = List.copyOf(actions);
        }
    }

    private DatabasePlanner() {
    }

    public static Plan plan(DatabaseDefinition d, ObservedDatabase now) {
        List<DatabaseAction> actions = new ArrayList<>();
        String db = ident(d.database());
        if (!d.present()) {
            if (now != null) {
                actions.add(new DatabaseAction("DROP DATABASE " + db, false));
            }
            return new Plan(actions, null);
        }
        String conflict = null;
        if (now == null) {
            StringBuilder create = new StringBuilder("CREATE DATABASE " + db + " WITH OWNER " + ident(d.owner()) + " TEMPLATE " + ident(d.template()));
            if (d.encoding() != null) {
                create.append(" ENCODING ").append(literal(d.encoding()));
            }
            if (d.lcCollate() != null) {
                create.append(" LC_COLLATE ").append(literal(d.lcCollate()));
            }
            if (d.lcCtype() != null) {
                create.append(" LC_CTYPE ").append(literal(d.lcCtype()));
            }
            create.append(" CONNECTION LIMIT ").append(d.connectionLimit()).append(" ALLOW_CONNECTIONS ").append(d.allowConnections());
            actions.add(new DatabaseAction(create.toString(), false));
        } else {
            List<String> fixed = new ArrayList<>();
            if (d.encoding() != null && !d.encoding().equalsIgnoreCase(now.encoding().replace("-", ""))) {
                fixed.add("encoding is " + now.encoding() + ", not " + d.encoding());
            }
            if (d.lcCollate() != null && !sameLocale(d.lcCollate(), now.lcCollate())) {
                fixed.add("lc_collate is " + now.lcCollate() + ", not " + d.lcCollate());
            }
            if (d.lcCtype() != null && !sameLocale(d.lcCtype(), now.lcCtype())) {
                fixed.add("lc_ctype is " + now.lcCtype() + ", not " + d.lcCtype());
            }
            if (!fixed.isEmpty()) {
                conflict = String.join("; ", fixed) + " (fixed when a database is created)";
            }
            if (!d.owner().equals(now.owner())) {
                actions.add(new DatabaseAction("ALTER DATABASE " + db + " OWNER TO " + ident(d.owner()), false));
            }
            if (d.connectionLimit() != now.connectionLimit()) {
                actions.add(new DatabaseAction("ALTER DATABASE " + db + " WITH CONNECTION LIMIT " + d.connectionLimit(), false));
            }
            if (d.allowConnections() != now.allowConnections()) {
                actions.add(new DatabaseAction("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS " + d.allowConnections(), false));
            }
        }
        if (!d.allowConnections()) {
            return new Plan(actions, conflict); // extensions are reconciled only where connections are allowed
        }
        var installed = now == null ? java.util.Map.<String, ObservedDatabase.InstalledExtension>of() : now.extensions();
        for (DatabaseDefinition.Extension e : d.extensions()) {
            var have = installed.get(e.name());
            String ext = ident(e.name());
            if (!e.present()) {
                if (have != null) {
                    actions.add(new DatabaseAction("DROP EXTENSION " + ext, true));
                }
                continue;
            }
            if (have == null) {
                actions.add(new DatabaseAction("CREATE EXTENSION IF NOT EXISTS " + ext
                        + (e.schema() == null ? "" : " WITH SCHEMA " + ident(e.schema()))
                        + (e.version() == null ? "" : " VERSION " + literal(e.version())), true));
                continue;
            }
            if (e.version() != null && !e.version().equals(have.version())) {
                actions.add(new DatabaseAction("ALTER EXTENSION " + ext + " UPDATE TO " + literal(e.version()), true));
            }
            if (e.schema() != null && !e.schema().equals(have.schema())) {
                actions.add(new DatabaseAction("ALTER EXTENSION " + ext + " SET SCHEMA " + ident(e.schema()), true));
            }
        }
        return new Plan(actions, conflict);
    }

    /** en_US.UTF-8 and en_US.utf8 name the same locale. */
    static boolean sameLocale(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String locale) {
        return locale.toLowerCase(Locale.ROOT).replace("utf-8", "utf8");
    }
}
