package io.pgpilot.instance;

/** A role name and its password; toString hides the password. */
public record Credentials(String username, String password) {

    /** PostgreSQL's superuser role, created by initdb. */
    public static final String SUPERUSER = "postgres";

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
