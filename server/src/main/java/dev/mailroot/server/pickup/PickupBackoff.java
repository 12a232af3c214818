package dev.mailroot.server.pickup;

import java.time.Clock;
import java.time.Duration;

/**
 * How long the pickup waits while the spool cannot store its files (a full disk): one wait for the
 * whole pickup, not one per file, because the cause is the spool, which every file needs alike.
 * The first failure waits {@link #FIRST}; each failed try after a wait doubles it, up to
 * {@link #LONGEST}. After a wait one file is tried (the others stay in pickup untouched); once one
 * is stored, the pickup goes on at full speed. Thread-safe.
 */
final class PickupBackoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration LONGEST = Duration.ofMinutes(1);

    private final Clock clock;
    /** The current wait; null while the spool stores files. */
    private Duration wait;
    private long until;
    private int failures;

    PickupBackoff(Clock clock) {
        this.clock = clock;
    }

    /** Milliseconds left of the current wait (0 when files may be tried). */
    synchronized long waitMillis() {
        return wait == null ? 0 : Math.max(0, until - clock.millis());
    }

    /** Whether the pickup is backing off: after a wait it tries one file at a time. */
    synchronized boolean backingOff() {
        return wait != null;
    }

    /**
     * A file could not be stored. Returns the new wait if this failure begins a step (the first
     * failure, or the first try after a wait), which the caller reports; null if it came from a
     * file that was already being tried when the step began.
     */
    synchronized Duration failed() {
        failures++;
        long now = clock.millis();
        if (wait != null && now < until) {
            return null;
        }
        wait = wait == null ? FIRST : min(wait.multipliedBy(2), LONGEST);
        until = now + wait.toMillis();
        return wait;
    }

    /**
     * A file was stored. Returns how many tries had failed if the pickup was backing off (the
     * caller reports that it goes on), else 0.
     */
    synchronized int stored() {
        int failed = wait == null ? 0 : failures;
        wait = null;
        failures = 0;
        return failed;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
