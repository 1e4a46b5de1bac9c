package io.pgpilot.launcher;

import io.pgpilot.events.Backoff;

import java.time.Duration;

/**
 * How long the run command waits before starting a crashed service again (pure): {@code initial},
 * doubled for each crash in a row up to {@code max}; a service that ran at least {@code stableAfter}
 * before it crashed starts a new row (its next restart waits {@code initial} again).
 */
public record RestartBackoff(Duration initial, Duration max, Duration stableAfter) {

    public static final RestartBackoff DEFAULT = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));

    public RestartBackoff {
        new Backoff(initial, max); // 0 < initial <= max
        if (stableAfter.isNegative()) {
            throw new IllegalArgumentException("stableAfter >= 0");
        }
    }

    /** The crashes in a row, counting this one, given the previous row and how long the service ran. */
    public int crashesInARow(int previous, Duration ran) {
        return ran.compareTo(stableAfter) >= 0 ? 1 : previous + 1;
    }

    /** The wait before the restart after the {@code n}-th crash in a row (n >= 1). */
    public Duration delay(int n) {
        return new Backoff(initial, max).delay(n);
    }
}
