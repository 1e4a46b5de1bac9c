package io.pgpilot.gateway.security;

import io.pgpilot.model.Names;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which role a request needs, from its method and path alone (pure). Rules, not a route list:
 * health is public; reading (GET, HEAD, OPTIONS) needs viewer; the operator rules below name the
 * day-to-day operations; every other method on every other path needs admin (default deny), so a
 * route added later is covered without an edit here.
 */
public final class AccessPolicy {

    /** What a request needs. */
    public sealed interface Access {
        record Public() implements Access {
        }

        record Requires(Role role) implements Access {
        }
    }

    /** A method and a path template ({@code {name}} is one path segment) with the role it needs. */
    public record Rule(String method, String template, Role role, Pattern pattern) {

        static Rule of(String method, String template, Role role) {
            String regex = Pattern.quote(template).replaceAll("\\{[a-zA-Z]+}", "\\\\E[^/]+\\\\Q");
            return new Rule(method, template, role, Pattern.compile("^" + regex + "$"));
        }

        boolean matches(String method, String path) {
            return this.method.equals(method) && pattern.matcher(path).matches();
        }
    }

    static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    static final List<Rule> RULES = List.of(
            Rule.of("POST", "/api/v1/clusters/{cluster}/switchover", Role.OPERATOR),
            Rule.of("POST", "/api/v1/clusters/{cluster}/restart", Role.OPERATOR),
            Rule.of("POST", "/api/v1/clusters/{cluster}/instances/{instance}/promote", Role.OPERATOR),
            Rule.of("POST", "/api/v1/clusters/{cluster}/instances/{instance}/fence", Role.OPERATOR),
            Rule.of("POST", "/api/v1/clusters/{cluster}/instances/{instance}/unfence", Role.OPERATOR),
            Rule.of("POST", "/api/v1/clusters/{cluster}/backups", Role.OPERATOR),
            Rule.of("POST", "/api/v1/backups", Role.OPERATOR));

    private static final Pattern CLUSTER_PATH = Pattern.compile("^/api/v1/clusters/([^/]+)(/.*)?$");
    private static final Pattern UNSAFE = Pattern.compile("[;\\\\]|%(2[fFeE5]|5[cC]|3[bB])|//|/\\.\\.?(/|$)|\\p{Cntrl}");

    private AccessPolicy() {
    }

    public static Access required(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        boolean read = READS.contains(m);
        if (read && (path.equals("/actuator/health") || path.startsWith("/actuator/health/"))) {
            return new Access.Public();
        }
        if (read) {
            return new Access.Requires(Role.VIEWER);
        }
        for (Rule rule : RULES) {
            if (rule.matches(m, path)) {
                return new Access.Requires(rule.role());
            }
        }
        return new Access.Requires(Role.ADMIN);
    }

    /** Every method but GET, HEAD and OPTIONS changes something (and is audited). */
    public static boolean mutating(String method) {
        return !READS.contains(method.toUpperCase(Locale.ROOT));
    }

    /**
     * Why a raw request URI is refused before any rule is applied: path parameters, encoded
     * slashes, backslashes, dot segments or empty segments could make the rules and the router see
     * different paths. Empty when the path is plain.
     */
    public static Optional<String> unsafePath(String rawUri) {
        if (rawUri == null || rawUri.isEmpty() || rawUri.charAt(0) != '/') {
            return Optional.of("the request path must start with '/'");
        }
        Matcher m = UNSAFE.matcher(rawUri);
        return m.find() ? Optional.of("the request path must not contain '" + Names.printable(m.group()) + "'") : Optional.empty();
    }

    /** The cluster a path is about, when it names a valid one ({@code /api/v1/clusters/{cluster}...}). */
    public static Optional<String> cluster(String path) {
        Matcher m = CLUSTER_PATH.matcher(path);
        if (m.matches() && Names.CLUSTER.matcher(m.group(1)).matches()) {
            return Optional.of(m.group(1));
        }
        return Optional.empty();
    }
}
