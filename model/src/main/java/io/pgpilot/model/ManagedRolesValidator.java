package io.pgpilot.model;

import io.pgpilot.model.ClusterManifest.RoleConfiguration;
import io.pgpilot.model.ManifestException.Violation;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code spec.managed.roles}, pure: every entry checked, all violations at once, each naming its
 * field. Roles pgpilot manages itself (the superuser, replication, pooler and admin roles, the
 * application owner) and PostgreSQL's {@code pg_*} roles cannot be managed from a manifest.
 */
public final class ManagedRolesValidator {

    public static final int MAX_ROLES = 100;
    public static final int MAX_IN_ROLES = 32;
    public static final int MAX_COMMENT = 1024;
    /** Roles the platform creates and owns. */
    public static final Set<String> PLATFORM_ROLES = Set.of("postgres", "streaming_replica", "cnpg_pooler_pgbouncer", "pgpilot_admin");

    private ManagedRolesValidator() {
    }

    /** @param owner the application owner of {@code spec.bootstrap.initdb} (managed by pgpilot through the app secret) */
    public static List<RoleDefinition> validate(ClusterManifest.Managed managed, String owner, List<Violation> violations) {
        if (managed == null || managed.roles() == null) {
            return List.of();
        }
        List<RoleConfiguration> roles = managed.roles();
        if (roles.size() > MAX_ROLES) {
            violations.add(new Violation("spec.managed.roles", "at most " + MAX_ROLES + " roles, got " + roles.size()));
            return List.of();
        }
        List<RoleDefinition> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < roles.size(); i++) {
            String at = "spec.managed.roles[" + i + "]";
            RoleConfiguration role = roles.get(i);
            if (role == null) {
                violations.add(new Violation(at, "must be an object"));
                continue;
            }
            int before = violations.size();
            String name = role.name();
            if (name == null) {
                violations.add(new Violation(at + ".name", "is required"));
            } else if (!Names.SQL_IDENTIFIER.matcher(name).matches()) {
                violations.add(new Violation(at + ".name", "'" + Names.printable(name)
                        + "' is not a role name pgpilot manages (lower-case letters, digits and '_', at most 63, not starting with a digit)"));
            } else if (name.startsWith("pg_") || PLATFORM_ROLES.contains(name) || name.equals(owner)) {
                violations.add(new Violation(at + ".name", "'" + name + "' is "
                        + (name.equals(owner) ? "the application owner" : "a role of PostgreSQL or of pgpilot") + " and cannot be managed here"));
            } else if (!seen.add(name)) {
                violations.add(new Violation(at + ".name", "'" + name + "' is listed twice"));
            }
            boolean present = true;
            if (role.ensure() != null) {
                switch (role.ensure()) {
                    case "present" -> present = true;
                    case "absent" -> present = false;
                    default -> violations.add(new Violation(at + ".ensure", "must be 'present' or 'absent'"));
                }
            }
            if (role.comment() != null && (role.comment().length() > MAX_COMMENT || role.comment().chars().anyMatch(c -> c == 0))) {
                violations.add(new Violation(at + ".comment", "at most " + MAX_COMMENT + " characters, no NUL"));
            }
            int limit = role.connectionLimit() == null ? -1 : role.connectionLimit();
            if (limit < -1 || limit > 100_000) {
                violations.add(new Violation(at + ".connectionLimit", "must be -1 (no limit) or between 0 and 100000"));
            }
            Instant validUntil = validUntil(role.validUntil(), at + ".validUntil", violations);
            List<String> inRoles = role.inRoles() == null ? List.of() : role.inRoles();
            if (inRoles.size() > MAX_IN_ROLES) {
                violations.add(new Violation(at + ".inRoles", "at most " + MAX_IN_ROLES + " roles"));
            } else {
                Set<String> memberOf = new HashSet<>();
                for (int j = 0; j < inRoles.size(); j++) {
                    String parent = inRoles.get(j);
                    if (parent == null || !Names.SQL_IDENTIFIER.matcher(parent).matches()) {
                        violations.add(new Violation(at + ".inRoles[" + j + "]", "'" + Names.printable(parent) + "' is not a role name"));
                    } else if (parent.equals(name)) {
                        violations.add(new Violation(at + ".inRoles[" + j + "]", "a role cannot be a member of itself"));
                    } else if (PLATFORM_ROLES.contains(parent)) {
                        violations.add(new Violation(at + ".inRoles[" + j + "]", "'" + parent + "' is a role of pgpilot: membership would grant its rights"));
                    } else if (!memberOf.add(parent)) {
                        violations.add(new Violation(at + ".inRoles[" + j + "]", "'" + parent + "' is listed twice"));
                    }
                }
            }
            String secret = role.passwordSecret() == null ? null : role.passwordSecret().name();
            if (role.passwordSecret() != null) {
                if (secret == null || !Names.SECRET.matcher(secret).matches()) {
                    violations.add(new Violation(at + ".passwordSecret.name", "'" + Names.printable(secret) + "' is not a secret name"));
                } else if (Names.platformSecret(secret)) {
                    violations.add(new Violation(at + ".passwordSecret.name", "secret " + secret + " was generated by pgpilot and cannot be referenced"));
                }
                if (Boolean.TRUE.equals(role.disablePassword())) {
                    violations.add(new Violation(at + ".disablePassword", "cannot be combined with passwordSecret"));
                }
            }
            if (violations.size() == before) {
                result.add(new RoleDefinition(name, present, role.comment(), flag(role.login(), false), flag(role.superuser(), false),
                        flag(role.createdb(), false), flag(role.createrole(), false), flag(role.inherit(), true),
                        flag(role.replication(), false), flag(role.bypassrls(), false), limit, validUntil, inRoles, secret,
                        flag(role.disablePassword(), false)));
            }
        }
        return List.copyOf(result);
    }

    private static boolean flag(Boolean value, boolean fallback) {
        return value == null ? fallback : value;
    }

    /** RFC 3339 ({@code 2027-01-01T00:00:00Z}); "infinity" means no expiry. */
    private static Instant validUntil(String value, String field, List<Violation> violations) {
        if (value == null || value.equals("infinity")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            violations.add(new Violation(field, "'" + Names.printable(value) + "' is not an RFC 3339 time like 2027-01-01T00:00:00Z"));
            return null;
        }
    }
}
