package dev.mailroot.server.pipeline;

import java.time.Duration;

/**
 * When to try again after a temporary failure, and when to stop: the delay doubles from
 * {@code first} up to {@code max}; a message older than {@code giveUpAfter} goes to badmail.
 */
public record RetryPolicy(Duration first, Duration max, Duration giveUpAfter) {

    public static RetryPolicy standard(Duration giveUpAfter) {
        return new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(30), giveUpAfter);
    }

    /** The delay before attempt number {@code failures + 1}. */
    public Duration delayAfter(int failures) {
        Duration d = first;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
