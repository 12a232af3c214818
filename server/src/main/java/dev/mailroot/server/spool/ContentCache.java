package dev.mailroot.server.spool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The budget for message content kept in memory (so delivery does not read back what intake just
 * wrote): a reservation succeeds while the total stays within it. Thread-safe.
 */
final class ContentCache {
    private final long budget;
    private final AtomicLong used = new AtomicLong();

    ContentCache(long budget) {
        this.budget = budget;
    }

    /** Reserves {@code bytes}; false (nothing reserved) if that would pass the budget. */
    boolean reserve(long bytes) {
        if (used.addAndGet(bytes) > budget) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** Gives back what {@code cached} took. */
    void release(byte[] cached) {
        if (cached != null) {
            used.addAndGet(-cached.length);
        }
    }
}
