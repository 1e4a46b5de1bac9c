package io.pgpilot.instance.fencing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A frozen primary, pure: a primary whose postmaster is stopped by a signal (SIGSTOP, job control)
 * and does not answer its probe serves nothing, and is certain to stay that way until someone sends
 * SIGCONT, after which it could accept writes again. Seen so, from the same host, for longer than
 * {@code after}, it is killed (SIGKILL of every process of the instance: a stopped process dies
 * without running again), which tells the failover service that its process is gone so that a
 * replica is promoted at once instead of after the lease. A zero {@code after} disables it; a whole
 * frozen host (every process stopped, this one too) is still covered by the lease and the
 * self-fence only.
 */
public final class FreezeGuard {

    private final Duration after;
    private final Map<String, Instant> stoppedSince = new ConcurrentHashMap<>();

    public FreezeGuard(Duration after) {
        this.after = after == null ? Duration.ZERO : after;
    }

    public boolean enabled() {
        return !after.isZero() && !after.isNegative();
    }

    /**
     * One observation of a primary: {@code frozen} = its postmaster is stopped and the probe got no
     * answer. True when it has been frozen for {@code after} or longer and must be killed now.
     */
    public boolean mustKill(String key, boolean frozen, Instant now) {
        if (!enabled() || !frozen) {
            stoppedSince.remove(key);
            return false;
        }
        Instant since = stoppedSince.computeIfAbsent(key, k -> now);
        if (!since.plus(after).isAfter(now)) {
            stoppedSince.remove(key);
            return true;
        }
        return false;
    }

    /** How long the instance has been seen frozen, for the event. */
    public Duration frozenFor(String key, Instant now) {
        Instant since = stoppedSince.get(key);
        return since == null ? Duration.ZERO : Duration.between(since, now);
    }

    public void forget(String key) {
        stoppedSince.remove(key);
    }
}
