package io.pgpilot.provisioner.roles;

import io.pgpilot.model.RoleDefinition;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code spec.managed.roles} against what PostgreSQL has, pure (CloudNativePG's role reconciler):
 * which statements bring the roles to the spec. Roles that are not listed are never touched. Order:
 * creations first (so that memberships between managed roles resolve), then attributes, comments
 * and passwords, then memberships ({@code inRoles} is the whole list: others are revoked), drops
 * last. A role whose password secret cannot be used is left as it is and reported.
 */
public final class RolePlanner {

    /** The statements to run and the roles that cannot be reconciled now, with why. */
    public record Plan(List<RoleAction> actions, Map<String, String> skipped) {
        public Plan {
            actions = List.copyOf(actions);
            skipped = Map.copyOf(skipped);
        }

        public boolean isEmpty() {
            return actions.isEmpty();
        }
    }

    private RolePlanner() {
    }

    public static Plan plan(List<RoleDefinition> desired, Map<String, ObservedRole> observed, Map<String, DesiredPassword> passwords) {
        List<RoleAction> creates = new ArrayList<>();
        List<RoleAction> changes = new ArrayList<>();
        List<RoleAction> memberships = new ArrayList<>();
        List<RoleAction> drops = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (RoleDefinition role : desired) {
            ObservedRole now = observed.get(role.name());
            if (!role.present()) {
                if (now != null) {
                    drops.add(new RoleAction.Drop(role.name()));
                }
                continue;
            }
            DesiredPassword password = role.disablePassword() ? new DesiredPassword.Disabled()
                    : passwords.getOrDefault(role.name(), new DesiredPassword.Keep());
            if (password instanceof DesiredPassword.Unavailable u) {
                skipped.put(role.name(), u.reason());
                continue;
            }
            if (now == null) {
                creates.add(new RoleAction.Create(role));
                if (role.comment() != null) {
                    changes.add(new RoleAction.Comment(role.name(), role.comment()));
                }
                if (password instanceof DesiredPassword.Value v) {
                    changes.add(new RoleAction.SetPassword(role.name(), v.password()));
                }
                role.inRoles().forEach(parent -> memberships.add(new RoleAction.Grant(role.name(), parent)));
                continue;
            }
            if (!sameAttributes(role, now)) {
                changes.add(new RoleAction.Alter(role));
            }
            if (!Objects.equals(emptyAsNull(role.comment()), emptyAsNull(now.comment()))) {
                changes.add(new RoleAction.Comment(role.name(), role.comment()));
            }
            switch (password) {
                case DesiredPassword.Value v when !PasswordVerifier.matches(now.verifier(), role.name(), v.password()) ->
                        changes.add(new RoleAction.SetPassword(role.name(), v.password()));
                case DesiredPassword.Disabled d when now.verifier() != null -> changes.add(new RoleAction.DisablePassword(role.name()));
                default -> {
                }
            }
            role.inRoles().stream().filter(p -> !now.memberOf().contains(p)).sorted()
                    .forEach(parent -> memberships.add(new RoleAction.Grant(role.name(), parent)));
            now.memberOf().stream().filter(p -> !role.inRoles().contains(p)).sorted()
                    .forEach(parent -> memberships.add(new RoleAction.Revoke(role.name(), parent)));
        }
        List<RoleAction> all = new ArrayList<>(creates);
        all.addAll(changes);
        all.addAll(memberships);
        all.addAll(drops);
        return new Plan(all, skipped);
    }

    static boolean sameAttributes(RoleDefinition d, ObservedRole o) {
        boolean sameExpiry = d.validUntil() == null ? o.validUntil() == null
                : o.validUntil() != null && d.validUntil().truncatedTo(ChronoUnit.SECONDS).equals(o.validUntil().truncatedTo(ChronoUnit.SECONDS));
        return d.login() == o.login() && d.superuser() == o.superuser() && d.createdb() == o.createdb()
                && d.createrole() == o.createrole() && d.inherit() == o.inherit() && d.replication() == o.replication()
                && d.bypassrls() == o.bypassrls() && d.connectionLimit() == o.connectionLimit() && sameExpiry;
    }

    private static String emptyAsNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
