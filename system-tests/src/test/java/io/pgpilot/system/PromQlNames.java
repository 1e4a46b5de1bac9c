package io.pgpilot.system;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects (also with Grafana's {@code $variables}): strings,
 * label matchers, ranges, grouping clauses, functions, keywords and numbers are not names.
 */
final class PromQlNames {

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*(\\{[^}]*})?\\s*,");

    private PromQlNames() {
    }

    static Set<String> of(String expr) {
        String s = STRINGS.matcher(expr).replaceAll(" ");
        s = VARIABLES.matcher(s).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Grafana template queries: {@code label_values(metric, label)} names a metric; plain PromQL otherwise. */
    static Set<String> ofTemplateQuery(String query) {
        Matcher m = LABEL_VALUES.matcher(query);
        if (m.find()) {
            return Set.of(m.group(1));
        }
        if (query.startsWith("label_values(") || query.startsWith("label_names(")) {
            return Set.of();
        }
        return of(query.replaceFirst("^query_result\\((.*)\\)$", "$1"));
    }
}
