package io.pgpilot.provisioner.roles;

import io.pgpilot.model.RoleDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RolePlannerTest {

    private static RoleDefinition role(String name, boolean login, List<String> inRoles) {
        return new RoleDefinition(name, true, null, login, false, false, false, true, false, false, -1, null, inRoles, null, false);
    }

    private static ObservedRole observed(String name, boolean login, String verifier, Set<String> memberOf) {
        return new ObservedRole(name, false, true, false, false, login, false, false, -1, null, verifier, null, memberOf);
    }

    @Test
    void createsMissingRolesBeforeTheirMembershipsAndSetsPasswordsWithoutSql() {
        var plan = RolePlanner.plan(List.of(role("odoo", true, List.of("reporting")), role("reporting", false, List.of())), Map.of(),
                Map.of("odoo", new DesiredPassword.Value("s3cret")));
        assertThat(plan.actions()).extracting(a -> a.getClass().getSimpleName())
                .containsExactly("Create", "Create", "SetPassword", "Grant");
        assertThat(plan.actions().getFirst().sql()).hasValue("CREATE ROLE \"odoo\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT"
                + " NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1 VALID UNTIL 'infinity'");
        assertThat(plan.actions().get(2).sql()).isEmpty();
        assertThat(plan.actions().get(2).toString()).doesNotContain("s3cret");
        assertThat(plan.actions().get(3).sql()).hasValue("GRANT \"reporting\" TO \"odoo\"");
    }

    @Test
    void aRoleThatMatchesItsSpecNeedsNothing() {
        var plan = RolePlanner.plan(List.of(role("odoo", true, List.of("pg_monitor"))),
                Map.of("odoo", observed("odoo", true, null, Set.of("pg_monitor"))), Map.of());
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void altersAttributesAndReplacesMembershipsWithTheListedOnes() {
        var desired = new RoleDefinition("odoo", true, "ERP", true, false, true, false, true, false, false, 10,
                Instant.parse("2027-01-01T00:00:00Z"), List.of("pg_monitor"), null, false);
        var plan = RolePlanner.plan(List.of(desired), Map.of("odoo", observed("odoo", false, null, Set.of("old_group"))), Map.of());
        assertThat(plan.actions()).extracting(a -> a.sql().orElse("password")).containsExactly(
                "ALTER ROLE \"odoo\" WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 10"
                        + " VALID UNTIL '2027-01-01T00:00:00Z'",
                "COMMENT ON ROLE \"odoo\" IS 'ERP'",
                "GRANT \"pg_monitor\" TO \"odoo\"",
                "REVOKE \"old_group\" FROM \"odoo\"");
    }

    @Test
    void dropsAbsentRolesLastAndLeavesUnlistedRolesAlone() {
        var absent = new RoleDefinition("legacy", false, null, false, false, false, false, true, false, false, -1, null, List.of(), null, false);
        var plan = RolePlanner.plan(List.of(absent, role("gone_already", false, List.of())),
                Map.of("legacy", observed("legacy", true, null, Set.of()), "unlisted", observed("unlisted", true, null, Set.of())), Map.of());
        assertThat(plan.actions()).extracting(a -> a.sql().orElseThrow())
                .containsExactly("CREATE ROLE \"gone_already\" WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION"
                        + " NOBYPASSRLS CONNECTION LIMIT -1 VALID UNTIL 'infinity'", "DROP ROLE \"legacy\"");
    }

    @Test
    void passwordsChangeOnlyWhenTheSecretChangedAndCanBeDisabled() {
        String verifier = "md5" + java.util.HexFormat.of().formatHex(md5("s3cretodoo"));
        var same = RolePlanner.plan(List.of(role("odoo", true, List.of())), Map.of("odoo", observed("odoo", true, verifier, Set.of())),
                Map.of("odoo", new DesiredPassword.Value("s3cret")));
        assertThat(same.isEmpty()).isTrue();
        var changed = RolePlanner.plan(List.of(role("odoo", true, List.of())), Map.of("odoo", observed("odoo", true, verifier, Set.of())),
                Map.of("odoo", new DesiredPassword.Value("n3w")));
        assertThat(changed.actions()).singleElement().isInstanceOf(RoleAction.SetPassword.class);
        var disabled = new RoleDefinition("odoo", true, null, true, false, false, false, true, false, false, -1, null, List.of(), null, true);
        assertThat(RolePlanner.plan(List.of(disabled), Map.of("odoo", observed("odoo", true, verifier, Set.of())), Map.of()).actions())
                .extracting(a -> a.sql().orElseThrow()).containsExactly("ALTER ROLE \"odoo\" WITH PASSWORD NULL");
    }

    @Test
    void aRoleWhoseSecretIsUnusableIsSkippedAndReported() {
        var plan = RolePlanner.plan(List.of(role("odoo", true, List.of()), role("other", false, List.of())), Map.of(),
                Map.of("odoo", new DesiredPassword.Unavailable("secret odoo-user does not exist")));
        assertThat(plan.skipped()).containsEntry("odoo", "secret odoo-user does not exist");
        assertThat(plan.actions()).extracting(RoleAction::role).containsExactly("other");
    }

    @Test
    void quotesLiterals() {
        assertThat(new RoleAction.Comment("a", "it's").sql()).hasValue("COMMENT ON ROLE \"a\" IS 'it''s'");
        assertThat(new RoleAction.Comment("a", null).sql()).hasValue("COMMENT ON ROLE \"a\" IS NULL");
    }

    private static byte[] md5(String s) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
