package io.pgpilot.provisioner.databases;

import io.pgpilot.model.DatabaseDefinition;
import io.pgpilot.model.DatabaseDefinition.Extension;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DatabasePlannerTest {

    private static DatabaseDefinition db(boolean present, String encoding, String locale, List<Extension> extensions) {
        return new DatabaseDefinition("odoo-db", "odoo", "odoo", "odoo", present, encoding, locale, locale,
                encoding != null || locale != null ? "template0" : "template1", -1, true, false, extensions);
    }

    private static ObservedDatabase observed(String owner, Map<String, ObservedDatabase.InstalledExtension> extensions) {
        return new ObservedDatabase("odoo", owner, "UTF8", "C.UTF-8", "C.UTF-8", -1, true, extensions);
    }

    @Test
    void createsAMissingDatabaseThenItsExtensions() {
        var plan = DatabasePlanner.plan(db(true, "UTF8", "C.UTF-8", List.of(new Extension("unaccent", true, null, null),
                new Extension("pg_trgm", true, "1.6", "public"))), null);
        assertThat(plan.conflict()).isNull();
        assertThat(plan.actions()).containsExactly(
                new DatabaseAction("CREATE DATABASE \"odoo\" WITH OWNER \"odoo\" TEMPLATE \"template0\" ENCODING 'UTF8'"
                        + " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' CONNECTION LIMIT -1 ALLOW_CONNECTIONS true", false),
                new DatabaseAction("CREATE EXTENSION IF NOT EXISTS \"unaccent\"", true),
                new DatabaseAction("CREATE EXTENSION IF NOT EXISTS \"pg_trgm\" WITH SCHEMA \"public\" VERSION '1.6'", true));
    }

    @Test
    void aDatabaseThatMatchesNeedsNothing() {
        var plan = DatabasePlanner.plan(db(true, "UTF8", "C.utf8", List.of(new Extension("unaccent", true, null, null))),
                observed("odoo", Map.of("unaccent", new ObservedDatabase.InstalledExtension("1.1", "public"))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.conflict()).isNull();
    }

    @Test
    void alignsOwnerAndExtensionsAndReportsWhatCannotChange() {
        var plan = DatabasePlanner.plan(db(true, "LATIN1", null, List.of(new Extension("unaccent", false, null, null),
                        new Extension("pg_trgm", true, "1.6", "ext"))),
                observed("someone", Map.of("unaccent", new ObservedDatabase.InstalledExtension("1.1", "public"),
                        "pg_trgm", new ObservedDatabase.InstalledExtension("1.5", "public"))));
        assertThat(plan.conflict()).contains("encoding is UTF8, not LATIN1");
        assertThat(plan.actions()).extracting(DatabaseAction::sql).containsExactly(
                "ALTER DATABASE \"odoo\" OWNER TO \"odoo\"",
                "DROP EXTENSION \"unaccent\"",
                "ALTER EXTENSION \"pg_trgm\" UPDATE TO '1.6'",
                "ALTER EXTENSION \"pg_trgm\" SET SCHEMA \"ext\"");
    }

    @Test
    void dropsAnAbsentDatabaseOnlyWhenItExists() {
        assertThat(DatabasePlanner.plan(db(false, null, null, List.of()), observed("odoo", Map.of())).actions())
                .containsExactly(new DatabaseAction("DROP DATABASE \"odoo\"", false));
        assertThat(DatabasePlanner.plan(db(false, null, null, List.of()), null).actions()).isEmpty();
    }
}
