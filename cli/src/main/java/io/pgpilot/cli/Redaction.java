package io.pgpilot.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Takes secrets out of what {@code pgpilot report} bundles: values of keys that name a secret
 * (password, token, secret, private key, ...) in JSON/YAML trees, and in configuration text the
 * {@code password=...} of conninfo strings, {@code user:password@} in URIs, bearer tokens and PEM
 * private keys. Pure. What is removed becomes {@value #MARK}.
 */
public final class Redaction {

    public static final String MARK = "<redacted>";

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|passphrase|private|credential|apikey|api_key|accesskey|access_key|uri|jdbc).*");
    private static final List<Pattern> IN_TEXT = List.of(
            // conninfo and query strings: password=xyz, password='x y', ?password=...&
            Pattern.compile("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s&'\"]+)"),
            // YAML / properties / JSON: password: xyz, "password": "xyz", SECRET_ACCESS_KEY=xyz
            Pattern.compile("(?i)(\"?[a-z_.-]*(?:password|secret|token|passphrase|access_key|accesskey)[a-z_.-]*\"?\\s*[:=]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,}]+)"),
            // SQL: ALTER ROLE x PASSWORD 'secret' (as a statement log line shows it)
            Pattern.compile("(?i)(password\\s+)('(?:[^']|'')*')"),
            // scheme://user:password@host
            Pattern.compile("([a-z][a-z0-9+.-]*://[^:/@\\s]+:)([^@\\s]+)(@)"),
            Pattern.compile("(?i)(bearer\\s+)([A-Za-z0-9._~+/=-]{8,})"));
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);

    private Redaction() {
    }

    /** Configuration or log text with every recognised secret replaced. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String out = PEM_KEY.matcher(text).replaceAll("-----BEGIN $1PRIVATE KEY-----\n" + MARK + "\n-----END $1PRIVATE KEY-----");
        for (Pattern p : IN_TEXT) {
            out = p.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                    m.group(1) + MARK + (m.groupCount() >= 3 && m.group(3) != null ? m.group(3) : "")));
        }
        return out;
    }

    /** A JSON tree (maps, lists, scalars) with the values of secret-named keys replaced, strings scanned as text. */
    public static Object tree(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), SECRET_KEY.matcher(String.valueOf(k)).matches() && !(v instanceof Map) && !(v instanceof List)
                    ? (v == null ? null : MARK) : tree(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Redaction::tree).toList();
        }
        if (value instanceof String s) {
            return text(s);
        }
        return value;
    }
}
