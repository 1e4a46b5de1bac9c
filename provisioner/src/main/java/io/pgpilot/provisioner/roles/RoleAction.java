package io.pgpilot.provisioner.roles;

import io.pgpilot.model.RoleDefinition;

import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * One change to a managed role. {@link #sql()} is the statement for every action but
 * {@link SetPassword}, whose verifier the adapter computes on the client so that the password never
 * travels as SQL text (and never reaches a server log).
 */
public sealed interface RoleAction {

    String role();

    /** The statement, empty for {@link SetPassword}. Names are validated identifiers, quoted anyway. */
    Optional<String> sql();

    record Create(RoleDefinition definition) implements RoleAction {
        public String role() {
            return definition.name();
        }

        public Optional<String> sql() {
            return Optional.of("CREATE ROLE " + ident(definition.name()) + " WITH" + options(definition));
        }
    }

    record Alter(RoleDefinition definition) implements RoleAction {
        public String role() {
            return definition.name();
        }

        public Optional<String> sql() {
            return Optional.of("ALTER ROLE " + ident(definition.name()) + " WITH" + options(definition));
        }
    }

    record Comment(String role, String comment) implements RoleAction {
        public Optional<String> sql() {
            return Optional.of("COMMENT ON ROLE " + ident(role) + " IS " + (comment == null ? "NULL" : literal(comment)));
        }
    }

    record SetPassword(String role, String password) implements RoleAction {
        public Optional<String> sql() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "SetPassword[" + role + ", ***]";
        }
    }

    record DisablePassword(String role) implements RoleAction {
        public Optional<String> sql() {
            return Optional.of("ALTER ROLE " + ident(role) + " WITH PASSWORD NULL");
        }
    }

    record Grant(String role, String parent) implements RoleAction {
        public Optional<String> sql() {
            return Optional.of("GRANT " + ident(parent) + " TO " + ident(role));
        }
    }

    record Revoke(String role, String parent) implements RoleAction {
        public Optional<String> sql() {
            return Optional.of("REVOKE " + ident(parent) + " FROM " + ident(role));
        }
    }

    record Drop(String role) implements RoleAction {
        public Optional<String> sql() {
            return Optional.of("DROP ROLE " + ident(role));
        }
    }

    private static String options(RoleDefinition d) {
        return (d.login() ? " LOGIN" : " NOLOGIN") + (d.superuser() ? " SUPERUSER" : " NOSUPERUSER")
                + (d.createdb() ? " CREATEDB" : " NOCREATEDB") + (d.createrole() ? " CREATEROLE" : " NOCREATEROLE")
                + (d.inherit() ? " INHERIT" : " NOINHERIT") + (d.replication() ? " REPLICATION" : " NOREPLICATION")
                + (d.bypassrls() ? " BYPASSRLS" : " NOBYPASSRLS") + " CONNECTION LIMIT " + d.connectionLimit()
                + " VALID UNTIL " + (d.validUntil() == null ? "'infinity'"
                : literal(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(d.validUntil().atOffset(ZoneOffset.UTC))));
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
