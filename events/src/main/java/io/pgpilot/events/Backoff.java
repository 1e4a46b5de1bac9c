package io.pgpilot.events;

import java.time.Duration;

/**
 * How long to wait before trying something again (pure): {@code initial} for the first try,
 * doubled for each try after it, never more than {@code max}. The one doubling policy the
 * platform's retries share (the run command's service restarts, the provisioner's creation retries).
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial == null || max == null || initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("0 < initial <= max");
        }
    }

    /** The wait before the {@code n}-th try in a row (n >= 1). */
    public Duration delay(int n) {
        Duration delay = initial;
        for (int i = 1; i < n && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
