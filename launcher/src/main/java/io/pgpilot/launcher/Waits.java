package io.pgpilot.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds: used where the test kit cannot depend on Awaitility. */
public final class Waits {

    private Waits() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, Duration.ofMillis(50), condition);
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, asking every {@code interval}: for a condition that is costly to ask. */
    public static void until(String what, Duration timeout, Duration interval, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(interval.toMillis()); // poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }
}
