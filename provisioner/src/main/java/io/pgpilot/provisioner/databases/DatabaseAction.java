package io.pgpilot.provisioner.databases;

/**
 * One statement for a managed database. {@code inDatabase}: run while connected to the managed
 * database itself (extensions), else to the maintenance database. Names are validated identifiers,
 * quoted anyway; nothing here is secret.
 */
public record DatabaseAction(String sql, boolean inDatabase) {

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
