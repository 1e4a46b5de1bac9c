package io.pgpilot.model;

import java.util.List;

/**
 * The database side of a pooler's authentication (CloudNativePG's design): the login role
 * {@value #ROLE} and, in every database a client may ask for, the SECURITY DEFINER lookup
 * {@code public.user_search(uname)} over {@code pg_shadow} that only that role may execute. The
 * provisioner runs these statements on the primary; PgBouncer's default {@code auth_query} calls the function.
 */
public final class PoolerAuth {

    public static final String ROLE = "cnpg_pooler_pgbouncer";

    /** Run in one transaction per database (so the function is never executable by PUBLIC), then GRANT CONNECT. */
    public static final List<String> LOOKUP_FUNCTION = List.of("""
            CREATE OR REPLACE FUNCTION public.user_search(uname TEXT)
              RETURNS TABLE (usename name, passwd text)
              LANGUAGE sql SECURITY DEFINER
              SET search_path = pg_catalog, pg_temp
              AS 'SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = $1'""",
            "REVOKE ALL ON FUNCTION public.user_search(text) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.user_search(text) TO " + ROLE);

    private PoolerAuth() {
    }

    /** GRANT CONNECT on a database whose name comes from pg_database (quoted whatever it is). */
    public static String grantConnect(String database) {
        return "GRANT CONNECT ON DATABASE \"" + database.replace("\"", "\"\"") + "\" TO " + ROLE;
    }
}
