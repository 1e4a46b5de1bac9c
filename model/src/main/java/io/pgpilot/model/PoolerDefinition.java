package io.pgpilot.model;

import java.util.Map;

/**
 * A validated {@link PoolerManifest} with its defaults resolved.
 *
 * @param authQuerySecret a user-supplied secret (username, password) whose role runs {@code authQuery};
 *                        null: pgpilot's own pooler role and lookup function
 * @param parameters      PgBouncer settings from the manifest, already checked against the allowlist
 */
public record PoolerDefinition(String name, String cluster, Type type, int instances, PoolMode poolMode,
                               Map<String, String> parameters, boolean paused, String authQuerySecret, String authQuery) {

    public enum Type { RW, RO, R;

        public String suffix() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum PoolMode { SESSION, TRANSACTION;

        public String pgbouncerName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** CloudNativePG's default lookup, run through the pooler's own role. */
    public static final String DEFAULT_AUTH_QUERY = "SELECT usename, passwd FROM public.user_search($1)";

    public PoolerDefinition {
        parameters = Map.copyOf(parameters);
    }

    public String effectiveAuthQuery() {
        return authQuery == null ? DEFAULT_AUTH_QUERY : authQuery;
    }
}
