package io.pgpilot.services;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** The single-threaded loops that own the access layer's and the poolers' state. */
public final class Loops {

    private Loops() {
    }

    /** Lets the running task finish (10 s at most), then stops the loop. */
    public static void stop(ExecutorService loop) {
        loop.shutdown();
        try {
            if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
