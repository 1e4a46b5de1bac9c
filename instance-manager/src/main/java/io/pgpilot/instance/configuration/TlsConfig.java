package io.pgpilot.instance.configuration;

import io.pgpilot.instance.layout.TlsFiles;

import java.nio.file.Path;

/**
 * PostgreSQL's TLS settings and the pg_hba.conf rules that go with them (CloudNativePG's order:
 * certificate authentication for replication first, then password authentication; plain text
 * refused for applications only when the manifest requires TLS). Pure.
 */
public final class TlsConfig {

    /** Included last from postgresql.conf, after pgpilot's and the user's settings. */
    public static final String FILE = "pgpilot-tls.conf";
    public static final String INCLUDE_MARKER = "# pgpilot: tls include";
    public static final String MIN_PROTOCOL = "TLSv1.3";

    private TlsConfig() {
    }

    /** Appended once to postgresql.conf (after the other managed includes). */
    public static String include() {
        return "\n" + INCLUDE_MARKER + "\ninclude_if_exists = '" + FILE + "'\n";
    }

    public static String settings(Path tlsDirectory) {
        return "# managed by pgpilot: TLS (reloaded, never a restart, when certificates are renewed)\n"
                + "ssl = on\n"
                + "ssl_cert_file = " + quote(tlsDirectory.resolve(TlsFiles.SERVER_CRT)) + "\n"
                + "ssl_key_file = " + quote(tlsDirectory.resolve(TlsFiles.SERVER_KEY)) + "\n"
                + "ssl_ca_file = " + quote(tlsDirectory.resolve(TlsFiles.CA_CRT)) + "\n"
                + "ssl_min_protocol_version = '" + MIN_PROTOCOL + "'\n";
    }

    /** pg_hba.conf of an instance reached on the loopback address only (single host). */
    public static String hba(boolean requireTls) {
        return hba(requireTls, false);
    }

    /**
     * pg_hba.conf. Replication only with the client certificate (CN streaming_replica) over TLS;
     * any other replication attempt refused; applications with a password, over TLS only when
     * {@code requireTls}. With {@code otherHosts} (an instance on a node of a multi-host platform)
     * the same from any address, but from another host over TLS only.
     */
    public static String hba(boolean requireTls, boolean otherHosts) {
        String from = otherHosts ? "all         " : "127.0.0.1/32";
        StringBuilder out = new StringBuilder("""
                # managed by pgpilot
                # TYPE    DATABASE     USER               ADDRESS       METHOD
                local     all          all                              scram-sha-256
                """);
        out.append("hostssl   replication  streaming_replica  ").append(from).append("  cert\n");
        out.append("host      replication  all                all           reject\n");
        if (requireTls) {
            out.append("hostnossl all          all                all           reject\n");
        }
        out.append("host      all          all                127.0.0.1/32  scram-sha-256\n");
        if (otherHosts) {
            out.append("hostssl   all          all                all           scram-sha-256\n");
        }
        return out.toString();
    }

    /** The TLS part of a libpq connection string for streaming_replica (verify-ca, as CloudNativePG). */
    public static String replicationConninfo(Path tlsDirectory) {
        return "sslmode=verify-ca sslrootcert=" + value(tlsDirectory.resolve(TlsFiles.CA_CRT))
                + " sslcert=" + value(tlsDirectory.resolve(TlsFiles.CLIENT_CRT))
                + " sslkey=" + value(tlsDirectory.resolve(TlsFiles.CLIENT_KEY));
    }

    private static String quote(Path path) {
        return "'" + path.toString().replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String value(Path path) {
        return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
