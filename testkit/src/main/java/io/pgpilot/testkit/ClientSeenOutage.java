package io.pgpilot.testkit;

import java.util.Comparator;
import java.util.List;

/**
 * The write outage as clients see it around one fault, over all writers together: from the last
 * acknowledged commit before the first error to the first acknowledged commit after the last error
 * (errors after the fault only). Without any error (e.g. a switchover that only delayed commits),
 * the longest pause between two consecutive acknowledged commits from the last ack before the fault
 * to the first ack on the new primary. Pure: computed from {@link AckedWriter}'s records.
 *
 * @param millis        the client-seen outage
 * @param errors        failed attempts after the fault (connects and statements of every writer)
 * @param lastAckBefore nanoTime of the last ack before the outage
 * @param firstAckAfter nanoTime of the first ack after it (a commit acknowledged by a synchronous standby)
 */
public record ClientSeenOutage(long millis, int errors, long lastAckBefore, long firstAckAfter) {

    /**
     * @param faultNanos    when the fault was injected (or the switchover requested)
     * @param firstNewNanos the first ack on the new primary (ends the no-error case)
     */
    public static ClientSeenOutage of(List<AckedWriter.Ack> acks, List<AckedWriter.Failure> failures, long faultNanos,
                                      long firstNewNanos) {
        List<Long> ackTimes = acks.stream().map(AckedWriter.Ack::nanos).sorted().toList();
        List<AckedWriter.Failure> after = failures.stream().filter(f -> f.nanos() > faultNanos)
                .sorted(Comparator.comparingLong(AckedWriter.Failure::nanos)).toList();
        if (!after.isEmpty()) {
            long firstError = after.getFirst().nanos();
            long lastError = after.getLast().nanos();
            long before = ackTimes.stream().filter(t -> t < firstError).reduce((a, b) -> b).orElse(faultNanos);
            long next = ackTimes.stream().filter(t -> t > lastError).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no acknowledged commit after the last error"));
            return new ClientSeenOutage((next - before) / 1_000_000, after.size(), before, next);
        }
        long previous = ackTimes.stream().filter(t -> t <= faultNanos).reduce((a, b) -> b).orElse(faultNanos);
        long gapStart = previous;
        long gapEnd = previous;
        for (long t : ackTimes) {
            if (t <= previous) {
                continue;
            }
            if (t > firstNewNanos) {
                break;
            }
            if (t - previous > gapEnd - gapStart) {
                gapStart = previous;
                gapEnd = t;
            }
            previous = t;
        }
        return new ClientSeenOutage((gapEnd - gapStart) / 1_000_000, 0, gapStart, gapEnd);
    }
}
