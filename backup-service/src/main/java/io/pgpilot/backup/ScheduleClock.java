package io.pgpilot.backup;

import io.pgpilot.model.CronSchedule;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When each schedule fires next (pure; the scheduler's memory). A schedule is known by a key
 * ({@code cluster/<name>} for {@code spec.backup.schedule}, {@code scheduledbackup/<name>} for a
 * ScheduledBackup); a changed expression restarts it from now; a fire time that has passed is
 * reported once and the next one computed from now (a missed time is never made up twice).
 */
final class ScheduleClock {

    private record Next(String expression, Instant at) {
    }

    private final Map<String, Next> next = new HashMap<>();

    /** Forgets schedules that are gone. */
    void retain(Set<String> keys) {
        next.keySet().retainAll(keys);
    }

    /** True when {@code key}'s fire time has come; the first sight of a key (or of a new expression) only plans it. */
    boolean due(String key, String expression, Instant now) {
        Next planned = next.get(key);
        if (planned == null || !planned.expression().equals(expression)) {
            next.put(key, new Next(expression, CronSchedule.parse(expression).next(now)));
            return false;
        }
        if (planned.at() == null || now.isBefore(planned.at())) {
            return false;
        }
        next.put(key, new Next(expression, CronSchedule.parse(expression).next(now)));
        return true;
    }

    /** Whether {@code key} was planned before (its next time is known). */
    boolean planned(String key) {
        return next.containsKey(key);
    }

    Map<String, Instant> nextFireTimes() {
        Map<String, Instant> result = new java.util.TreeMap<>();
        next.forEach((key, n) -> result.put(key, n.at()));
        return result;
    }
}
