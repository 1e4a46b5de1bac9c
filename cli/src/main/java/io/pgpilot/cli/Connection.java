package io.pgpilot.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the gateway is and which token to send: {@code --server} or {@code PGPILOT_SERVER}
 * (default the local platform's {@code http://127.0.0.1:8080}); the token from
 * {@code --token-file}, else {@code PGPILOT_TOKEN}, else the platform home's
 * {@code secrets/api-token-admin} ({@code PGPILOT_HOME}, default {@code /var/lib/pgpilot} for root
 * and {@code ~/.local/share/pgpilot} otherwise, as {@code ./run.sh}). The token is never printed.
 */
public final class Connection {

    public static final String DEFAULT_SERVER = "http://127.0.0.1:8080";
    private static final Pattern SERVER = Pattern.compile("https?://[a-zA-Z0-9.\\-\\[\\]:]+(:[0-9]{1,5})?/?");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{8,4096}");

    @Option(names = "--server", paramLabel = "URL", description = "the gateway (env PGPILOT_SERVER; default " + DEFAULT_SERVER + ")")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "a file holding the bearer token (else env PGPILOT_TOKEN, else <PGPILOT_HOME>/secrets/api-token-admin)")
    Path tokenFile;

    /** What the options and the environment resolve to. */
    public record Settings(String server, Path home, String token) {
        @Override
        public String toString() {
            return "Settings[server=" + server + ", home=" + home + ", token=<redacted>]";
        }
    }

    Settings resolve() {
        return resolve(server, tokenFile, System.getenv(), "root".equals(System.getProperty("user.name")),
                Path.of(System.getProperty("user.home")));
    }

    /** Pure apart from reading the token file. */
    public static Settings resolve(String serverOption, Path tokenFileOption, Map<String, String> env, boolean root, Path userHome) {
        String server = serverOption != null ? serverOption : env.getOrDefault("PGPILOT_SERVER", DEFAULT_SERVER);
        if (!SERVER.matcher(server).matches()) {
            throw new Exit.CliException(Exit.USAGE, "--server / PGPILOT_SERVER: must be http(s)://host[:port], not '" + printable(server) + "'");
        }
        if (server.endsWith("/")) {
            server = server.substring(0, server.length() - 1);
        }
        Path home = home(env, root, userHome);
        String token;
        if (tokenFileOption != null) {
            token = readToken(tokenFileOption, "--token-file");
        } else if (env.get("PGPILOT_TOKEN") != null && !env.get("PGPILOT_TOKEN").isBlank()) {
            token = env.get("PGPILOT_TOKEN").strip();
            if (!TOKEN.matcher(token).matches()) {
                throw new Exit.CliException(Exit.AUTH, "PGPILOT_TOKEN: not a bearer token (8 to 4096 printable characters, no spaces)");
            }
        } else {
            Path file = home.resolve("secrets").resolve("api-token-admin");
            token = readToken(file, "the platform's admin token (set PGPILOT_TOKEN or --token-file, or PGPILOT_HOME)");
        }
        return new Settings(server, home, token);
    }

    static Path home(Map<String, String> env, boolean root, Path userHome) {
        String configured = env.get("PGPILOT_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return root ? Path.of("/var/lib/pgpilot") : userHome.resolve(".local/share/pgpilot");
    }

    private static String readToken(Path file, String what) {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new Exit.CliException(Exit.AUTH, "cannot read " + what + ": " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        if (!TOKEN.matcher(token).matches()) {
            throw new Exit.CliException(Exit.AUTH, file + " does not hold a bearer token (8 to 4096 printable characters, no spaces)");
        }
        return token;
    }

    static String printable(String text) {
        return io.pgpilot.model.Names.printable(text);
    }
}
