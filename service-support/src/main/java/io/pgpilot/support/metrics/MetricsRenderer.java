package io.pgpilot.support.metrics;

import io.pgpilot.support.metrics.MetricCatalog.Family;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples to the Prometheus text exposition format (version 0.0.4), pure: one HELP and one TYPE
 * line per family in catalog order, then its samples. Only catalog families with their declared
 * labels are accepted, so nothing can be exported that the dashboards and alerts do not know.
 */
public final class MetricsRenderer {

    /** One value of one family; {@code labelValues} in the family's label order. */
    public record Sample(Family family, List<String> labelValues, double value) {
        public Sample {
            if (labelValues.size() != family.labels().size()) {
                throw new IllegalArgumentException(family.name() + " takes labels " + family.labels() + ", got " + labelValues);
            }
            labelValues = List.copyOf(labelValues);
        }

        public static Sample of(Family family, double value, String... labelValues) {
            return new Sample(family, List.of(labelValues), value);
        }
    }

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private MetricsRenderer() {
    }

    public static String render(List<Sample> samples) {
        Map<Family, List<Sample>> byFamily = new LinkedHashMap<>();
        for (Family family : MetricCatalog.all()) {
            byFamily.put(family, new ArrayList<>());
        }
        for (Sample sample : samples) {
            List<Sample> list = byFamily.get(sample.family());
            if (list == null) {
                throw new IllegalArgumentException("not a catalog family: " + sample.family().name());
            }
            list.add(sample);
        }
        StringBuilder out = new StringBuilder(8192);
        byFamily.forEach((family, list) -> {
            if (list.isEmpty()) {
                return;
            }
            out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
            out.append("# TYPE ").append(family.name()).append(' ').append(family.type().text()).append('\n');
            for (Sample sample : list) {
                out.append(family.name());
                if (!family.labels().isEmpty()) {
                    out.append('{');
                    for (int i = 0; i < family.labels().size(); i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        out.append(family.labels().get(i)).append("=\"").append(escapeLabel(sample.labelValues().get(i))).append('"');
                    }
                    out.append('}');
                }
                out.append(' ').append(value(sample.value())).append('\n');
            }
        });
        return out.toString();
    }

    static String value(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeLabel(String value) {
        if (value == null) {
            return "";
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
