package io.pgpilot.model;

import io.pgpilot.model.ManifestException.Violation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a parsed {@link DatabaseManifest} and resolves its defaults. Pure: no I/O, all violations at
 * once. Extensions come from an allowlist: they are created by the superuser, so only extensions
 * that cannot reach outside the database (no files, commands, network or untrusted languages) are
 * offered.
 */
public final class DatabaseValidator {

    /** Extensions shipped with PostgreSQL that stay inside the database. */
    public static final Set<String> EXTENSIONS = Set.of("btree_gin", "btree_gist", "citext", "cube", "earthdistance",
            "fuzzystrmatch", "hstore", "intarray", "isn", "lo", "ltree", "pg_stat_statements", "pg_trgm", "pgcrypto",
            "plpgsql", "seg", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp", "bloom",
            "pg_buffercache", "pg_visibility", "pgstattuple", "amcheck", "pg_prewarm");
    public static final Set<String> ENCODINGS = Set.of("UTF8", "SQL_ASCII", "LATIN1", "LATIN2", "LATIN9", "WIN1252", "EUC_JP", "EUC_KR");
    /** Databases that exist in every cluster and are pgpilot's or PostgreSQL's own. */
    public static final Set<String> RESERVED = Set.of("postgres", "template0", "template1");
    public static final int MAX_EXTENSIONS = 32;
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z._-]{1,32}");
    private static final Pattern EXTENSION = Pattern.compile("[a-z_][a-z0-9_-]{0,62}");

    private DatabaseValidator() {
    }

    public static DatabaseDefinition parseAndValidate(String text) {
        return validate(ManifestParser.parse(text, DatabaseManifest.class));
    }

    public static DatabaseDefinition validate(DatabaseManifest manifest) {
        List<Violation> violations = new ArrayList<>();
        String name = manifest.name();
        ClusterObjectHeader.check(manifest.apiVersion(), manifest.kind(), DatabaseManifest.KIND, name, "database", violations);
        var spec = manifest.spec();
        if (spec == null) {
            violations.add(new Violation("spec", "is required"));
            throw new ManifestException(violations);
        }
        String cluster = ClusterObjectHeader.cluster(spec.cluster(), violations);
        String database = identifier(spec.name(), "spec.name", violations);
        if (database != null && RESERVED.contains(database)) {
            violations.add(new Violation("spec.name", "'" + database + "' is a database of PostgreSQL and cannot be managed here"));
        }
        String owner = identifier(spec.owner(), "spec.owner", violations);
        if (owner != null && (owner.startsWith("pg_") || ManagedRolesValidator.PLATFORM_ROLES.contains(owner))) {
            violations.add(new Violation("spec.owner", "'" + owner + "' is a role of PostgreSQL or of pgpilot and cannot own a managed database"));
        }
        boolean present = choice(spec.ensure(), "present", "absent", "spec.ensure", violations);
        boolean reclaimDelete = !choice(spec.databaseReclaimPolicy(), "retain", "delete", "spec.databaseReclaimPolicy", violations);
        String encoding = null;
        if (spec.encoding() != null) {
            encoding = spec.encoding().toUpperCase(Locale.ROOT).replace("-", "");
            if (!ENCODINGS.contains(encoding)) {
                violations.add(new Violation("spec.encoding", "'" + Names.printable(spec.encoding()) + "' is not one of " + new java.util.TreeSet<>(ENCODINGS)));
            }
        }
        if (spec.locale() != null && (spec.lcCollate() != null || spec.lcCtype() != null)) {
            violations.add(new Violation("spec.locale", "set either locale or lcCollate/lcCtype"));
        }
        String lcCollate = locale(spec.lcCollate() != null ? spec.lcCollate() : spec.locale(), spec.lcCollate() != null ? "spec.lcCollate" : "spec.locale", violations);
        String lcCtype = locale(spec.lcCtype() != null ? spec.lcCtype() : spec.locale(), spec.lcCtype() != null ? "spec.lcCtype" : "spec.locale", violations);
        String template = spec.template();
        if (template != null && !template.equals("template0") && !template.equals("template1")) {
            violations.add(new Violation("spec.template", "must be template0 or template1"));
        }
        if (template == null) {
            // another encoding or locale than the template's needs the pristine template0
            template = encoding != null || lcCollate != null || lcCtype != null ? "template0" : "template1";
        }
        int limit = spec.connectionLimit() == null ? -1 : spec.connectionLimit();
        if (limit < -1 || limit > 100_000) {
            violations.add(new Violation("spec.connectionLimit", "must be -1 (no limit) or between 0 and 100000"));
        }
        List<DatabaseDefinition.Extension> extensions = extensions(spec.extensions(), violations);
        if (!violations.isEmpty()) {
            throw new ManifestException(violations);
        }
        return new DatabaseDefinition(name, cluster, database, owner, present, encoding, lcCollate, lcCtype, template, limit,
                spec.allowConnections() == null || spec.allowConnections(), reclaimDelete, extensions);
    }

    private static List<DatabaseDefinition.Extension> extensions(List<DatabaseManifest.ExtensionSpec> given, List<Violation> violations) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_EXTENSIONS) {
            violations.add(new Violation("spec.extensions", "at most " + MAX_EXTENSIONS + " extensions"));
            return List.of();
        }
        List<DatabaseDefinition.Extension> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String at = "spec.extensions[" + i + "]";
            var e = given.get(i);
            if (e == null || e.name() == null) {
                violations.add(new Violation(at + ".name", "is required"));
                continue;
            }
            if (!EXTENSION.matcher(e.name()).matches() || !EXTENSIONS.contains(e.name())) {
                violations.add(new Violation(at + ".name", "'" + Names.printable(e.name()) + "' is not an extension pgpilot installs; allowed: "
                        + new java.util.TreeSet<>(EXTENSIONS)));
            } else if (!seen.add(e.name())) {
                violations.add(new Violation(at + ".name", "'" + e.name() + "' is listed twice"));
            }
            boolean present = choice(e.ensure(), "present", "absent", at + ".ensure", violations);
            if (e.version() != null && !VERSION.matcher(e.version()).matches()) {
                violations.add(new Violation(at + ".version", "'" + Names.printable(e.version()) + "' is not a version"));
            }
            String schema = e.schema() == null ? null : identifier(e.schema(), at + ".schema", violations);
            result.add(new DatabaseDefinition.Extension(e.name(), present, e.version(), schema));
        }
        return result;
    }

    /** true for {@code first} (also the default), false for {@code second}. */
    private static boolean choice(String value, String first, String second, String field, List<Violation> violations) {
        if (value == null || value.equals(first)) {
            return true;
        }
        if (value.equals(second)) {
            return false;
        }
        violations.add(new Violation(field, "must be '" + first + "' or '" + second + "'"));
        return true;
    }

    private static String identifier(String value, String field, List<Violation> violations) {
        if (value == null) {
            violations.add(new Violation(field, "is required"));
            return null;
        }
        if (!Names.SQL_IDENTIFIER.matcher(value).matches()) {
            violations.add(new Violation(field, "'" + Names.printable(value)
                    + "' is not a name pgpilot manages (lower-case letters, digits and '_', at most 63, not starting with a digit)"));
            return null;
        }
        return value;
    }

    private static String locale(String value, String field, List<Violation> violations) {
        if (value == null) {
            return null;
        }
        if (!LOCALE.matcher(value).matches()) {
            violations.add(new Violation(field, "'" + Names.printable(value) + "' is not a locale name like C or en_US.UTF-8"));
            return null;
        }
        return value;
    }
}
