package io.pgpilot.services.pooler;

import io.pgpilot.support.metrics.MetricCatalog;
import io.pgpilot.support.metrics.MetricCatalog.Family;
import io.pgpilot.support.metrics.MetricsRenderer;
import io.pgpilot.support.metrics.MetricsRenderer.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The poolers' metrics under CloudNativePG's {@code cnpg_pgbouncer_*} names: SHOW LISTS, POOLS and
 * STATS of every PgBouncer process, labelled {@code pooler} and {@code pod} ({@code <pooler>-<n>}).
 * {@link #samples} is pure (rows as the admin console prints them, header first).
 */
public final class PgBouncerMetrics {

    /** What one process's admin console answered. */
    public record Answer(String pooler, String pod, List<String> lists, List<String> pools, List<String> stats) {
    }

    private PgBouncerMetrics() {
    }

    /** Scrapes every process now (one psql call each) and renders the text. */
    public static String scrape(Map<String, List<PgBouncerProcess>> processes) {
        List<Sample> samples = new ArrayList<>();
        processes.forEach((pooler, list) -> {
            for (int i = 0; i < list.size(); i++) {
                String pod = pooler + "-" + (i + 1);
                try {
                    PgBouncerProcess p = list.get(i);
                    samples.addAll(samples(new Answer(pooler, pod, p.show("LISTS"), p.show("POOLS"), p.show("STATS"))));
                    samples.add(Sample.of(MetricCatalog.PGBOUNCER_LAST_COLLECTION_ERROR, 0, pooler, pod));
                } catch (RuntimeException e) {
                    samples.add(Sample.of(MetricCatalog.PGBOUNCER_LAST_COLLECTION_ERROR, 1, pooler, pod));
                }
            }
        });
        return MetricsRenderer.render(samples);
    }

    public static List<Sample> samples(Answer answer) {
        List<Sample> samples = new ArrayList<>();
        for (String row : body(answer.lists())) {
            String[] cells = row.split("\\|");
            if (cells.length == 2) {
                find(MetricCatalog.PGBOUNCER_LISTS, "cnpg_pgbouncer_lists_" + cells[0])
                        .ifPresent(f -> number(cells[1]).ifPresent(v -> samples.add(Sample.of(f, v, answer.pooler(), answer.pod()))));
            }
        }
        table(answer.pools(), MetricCatalog.PGBOUNCER_POOLS, "cnpg_pgbouncer_pools_", cells -> List.of(cells.get("database"),
                cells.get("user")), answer, samples);
        table(answer.stats(), MetricCatalog.PGBOUNCER_STATS, "cnpg_pgbouncer_stats_", cells -> List.of(cells.get("database")),
                answer, samples);
        return samples;
    }

    private static void table(List<String> rows, List<Family> families, String prefix,
                              Function<Map<String, String>, List<String>> keys, Answer answer, List<Sample> samples) {
        if (rows.isEmpty()) {
            return;
        }
        List<String> header = List.of(rows.getFirst().split("\\|", -1));
        for (String row : body(rows)) {
            String[] cells = row.split("\\|", -1);
            if (cells.length != header.size()) {
                continue;
            }
            Map<String, String> byName = new java.util.HashMap<>();
            for (int i = 0; i < cells.length; i++) {
                byName.put(header.get(i), cells[i]);
            }
            List<String> labels = new ArrayList<>(List.of(answer.pooler(), answer.pod()));
            labels.addAll(keys.apply(byName));
            if (labels.contains(null)) {
                continue;
            }
            for (Family family : families) {
                String column = family.name().substring(prefix.length());
                number(byName.get(column)).ifPresent(v -> samples.add(new Sample(family, labels, v)));
            }
        }
    }

    private static List<String> body(List<String> rows) {
        return rows.size() <= 1 ? List.of() : rows.subList(1, rows.size());
    }

    private static java.util.Optional<Family> find(List<Family> families, String name) {
        return families.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    private static java.util.Optional<Double> number(String text) {
        try {
            return text == null ? java.util.Optional.empty() : java.util.Optional.of(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
