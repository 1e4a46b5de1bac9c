package io.pgpilot.model;

import java.time.Instant;
import java.util.List;

/**
 * One validated entry of {@code spec.managed.roles} with CloudNativePG's defaults resolved: login,
 * superuser, createdb, createrole, replication and bypassrls false; inherit true; no connection
 * limit (-1); no expiry ({@code validUntil} null). {@code passwordSecret}: the user secret holding
 * {@code username} and {@code password}; null keeps whatever password the role has, unless
 * {@code disablePassword} removes it.
 */
public record RoleDefinition(String name, boolean present, String comment, boolean login, boolean superuser,
                             boolean createdb, boolean createrole, boolean inherit, boolean replication, boolean bypassrls,
                             int connectionLimit, Instant validUntil, List<String> inRoles, String passwordSecret,
                             boolean disablePassword) {

    public RoleDefinition {
        inRoles = inRoles == null ? List.of() : List.copyOf(inRoles);
    }

    /** A present role with only a name: every attribute at its default. */
    public static RoleDefinition named(String name) {
        return new RoleDefinition(name, true, null, false, false, false, false, true, false, false, -1, null, List.of(), null, false);
    }
}
