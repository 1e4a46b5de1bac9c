package io.pgpilot.provisioner.roles;

import java.time.Instant;
import java.util.Set;

/**
 * A role as it exists in PostgreSQL ({@code pg_authid}, its comment and memberships).
 * {@code verifier}: the stored password verifier (SCRAM or md5), null without a password; it is
 * never logged (toString hides it).
 */
public record ObservedRole(String name, boolean superuser, boolean inherit, boolean createrole, boolean createdb,
                           boolean login, boolean replication, boolean bypassrls, int connectionLimit, Instant validUntil,
                           String verifier, String comment, Set<String> memberOf) {

    public ObservedRole {
        memberOf = memberOf == null ? Set.of() : Set.copyOf(memberOf);
    }

    @Override
    public String toString() {
        return "ObservedRole[" + name + (verifier == null ? ", no password" : ", password set") + "]";
    }
}
