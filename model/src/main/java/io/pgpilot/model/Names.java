package io.pgpilot.model;

import java.util.regex.Pattern;

/** The strict patterns a name from a user must match before it reaches a path, a command or SQL. */
public final class Names {

    /** DNS-1035 label, short enough that "-rw" and "-NN" suffixes stay valid labels. */
    public static final Pattern CLUSTER = Pattern.compile("[a-z]([-a-z0-9]{0,48}[a-z0-9])?");
    public static final Pattern INSTANCE = Pattern.compile("[a-z]([-a-z0-9]{0,48}[a-z0-9])?-[1-9][0-9]{0,2}");
    /** Kubernetes Secret names: DNS-1123 subdomain. */
    public static final Pattern SECRET = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    public static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
    /** SQL identifiers we create ourselves (database, role): lower case, no quoting needed. */
    public static final Pattern SQL_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    public static final Pattern PG_PARAMETER = Pattern.compile("[a-z_][a-z0-9_.]{0,127}");

    private Names() {
    }

    /** Suffixes of the secrets pgpilot generates per cluster (credentials, certificates, tokens). */
    private static final java.util.List<String> PLATFORM_SECRET_SUFFIXES = java.util.List.of("-app", "-superuser", "-replication",
            "-ca", "-server", "-token", "-pooler");

    /**
     * Whether a secret name is reserved for what pgpilot generates ({@code <cluster>-app},
     * {@code -superuser}, {@code -replication}, {@code -ca}, {@code -server}, {@code -*token}, {@code -pooler},
     * {@code api-token-*}, {@code pgpilot-*}): a manifest may never reference one, not even its own
     * cluster's, so that no manifest can send platform credentials to a store of its choosing.
     */
    public static boolean platformSecret(String name) {
        if (name == null) {
            return false;
        }
        return name.startsWith("api-token") || name.startsWith("pgpilot-") || PLATFORM_SECRET_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    public static String requireCluster(String name) {
        if (name == null || !CLUSTER.matcher(name).matches()) {
            throw new ManifestException("metadata.name", "'" + printable(name)
                    + "' is not a valid cluster name (lower-case letters, digits and '-', starting with a letter, at most 50 characters)");
        }
        return name;
    }

    public static String requireInstance(String name) {
        if (name == null || !INSTANCE.matcher(name).matches()) {
            throw new ManifestException("instance", "'" + printable(name) + "' is not a valid instance name");
        }
        return name;
    }

    public static String instanceName(String cluster, int ordinal) {
        return cluster + "-" + ordinal;
    }

    /** Echo user input in error messages without control characters or unbounded length. */
    public static String printable(String value) {
        if (value == null) {
            return "null";
        }
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }

    /** PostgreSQL's limit on a Unix socket path (sun_path without its terminating NUL). */
    public static final int MAX_SOCKET_PATH = 107;

    /**
     * The longest cluster name whose instances' Unix sockets
     * ({@code <home>/clusters/<c>/<c>-N/sock/.s.PGSQL.NNNNN}, N at most 9 instances) fit PostgreSQL's limit under {@code home}.
     */
    public static int maxClusterNameFor(String home) {
        int fixed = home.length() + "/clusters/".length() + "/".length() + ("-" + ManifestValidator.MAX_INSTANCES + "/sock/.s.PGSQL.65535").length();
        return Math.max(0, Math.min(50, (MAX_SOCKET_PATH - fixed) / 2));
    }
}
