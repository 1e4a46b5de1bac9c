package io.pgpilot.testkit;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The results file of {@link MultiHostBenchmark}: p50/max per system x fault, then every round. Pure. */
final class MultiHostReport {

    /** One round; {@code failure} set when the round did not complete (then the figures are 0). */
    record Outcome(String system, String fault, int index, String from, String to, long outageMillis, long acked, long lost,
                   long errors, long readOnlyErrors, int maxWritable, List<String> twoAtOnce, String oldPrimary,
                   long repairMillis, String failure) {

        static Outcome failed(String system, String fault, int index, String why) {
            return new Outcome(system, fault, index, "", "", 0, 0, 0, 0, 0, 0, List.of(), "", 0, String.valueOf(why));
        }

        String line(int rounds) {
            if (failure != null) {
                return String.format(Locale.ROOT, "%s %s %d/%d: FAILED %s", system, fault, index, rounds, failure);
            }
            return String.format(Locale.ROOT, "%s %s %d/%d: %s -> %s  client-seen %5d ms  acked %6d  lost %d  errors %d (read-only %d)"
                            + "  writable at once (max) %d  old primary at outage end: %s  repaired in %d ms", system, fault, index, rounds,
                    from, to, outageMillis, acked, lost, errors, readOnlyErrors, maxWritable, oldPrimary, repairMillis);
        }
    }

    private MultiHostReport() {
    }

    static String render(List<Outcome> outcomes, List<String> settings, int rounds, int writers) {
        StringBuilder out = new StringBuilder("# Multi-host faults: pgpilot and Patroni side by side\n\n");
        out.append("- run: ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (1-minute load average at the end: ").append(BackupBenchmark.loadAverage()).append("), ")
                .append(rounds).append(" rounds per system and fault requested, ").append(writers)
                .append(" acknowledged writers (AckedWriter) through each system's read-write endpoint from the root namespace\n");
        settings.forEach(s -> out.append("- ").append(s).append('\n'));
        out.append("- client-seen outage = over all writers, last acknowledged commit before the first error -> first acknowledged"
                + " commit after the last error; targets (issue 8): power loss p50 <= 5 s, max <= 10 s; isolation p50 <= 10 s;"
                + " 0 lost\n- writable at once = members answering `pg_is_in_recovery() = false` to a probe from the root namespace"
                + " every 200 ms (a member behind a cut cannot be asked; 'old primary' is asked from inside its own host)\n\n");
        out.append("| system | fault | n | client-seen p50 | max | acknowledged | lost | errors (read-only) | max writable at once |"
                + " failed rounds |\n|---|---|---|---|---|---|---|---|---|---|\n");
        Set<String> keys = new LinkedHashSet<>();
        outcomes.forEach(o -> keys.add(o.system() + "\u0000" + o.fault()));
        for (String key : keys) {
            List<Outcome> of = outcomes.stream().filter(o -> key.equals(o.system() + "\u0000" + o.fault())).toList();
            List<Outcome> done = of.stream().filter(o -> o.failure() == null).toList();
            List<Long> seen = done.stream().map(Outcome::outageMillis).sorted().toList();
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %d | %d | %d (%d) | %d | %d |%n", of.getFirst().system(),
                    of.getFirst().fault(), done.size(), seen.isEmpty() ? "-" : FailoverBenchmark.percentile(seen, 50) + " ms",
                    seen.isEmpty() ? "-" : seen.getLast() + " ms", done.stream().mapToLong(Outcome::acked).sum(),
                    done.stream().mapToLong(Outcome::lost).sum(), done.stream().mapToLong(Outcome::errors).sum(),
                    done.stream().mapToLong(Outcome::readOnlyErrors).sum(), done.stream().mapToInt(Outcome::maxWritable).max().orElse(0),
                    of.size() - done.size()));
        }
        out.append("\n| system | fault | # | from | to | client-seen ms | acknowledged | lost | errors (read-only) | writable at once |"
                + " old primary at outage end | repaired -> healthy ms | note |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %d | %d | %d | %d (%d) | %d | %s | %d | %s |%n", o.system(),
                    o.fault(), o.index(), o.from(), o.to(), o.outageMillis(), o.acked(), o.lost(), o.errors(), o.readOnlyErrors(),
                    o.maxWritable(), o.oldPrimary(), o.repairMillis(),
                    o.failure() != null ? "FAILED: " + o.failure().replace('|', '/') : o.twoAtOnce().isEmpty() ? "" : "two writable: " + o.twoAtOnce()));
        }
        return out.toString();
    }
}
