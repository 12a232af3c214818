package dev.mailroot.server.spool;

import java.time.Clock;

/**
 * Issues message ids: 13 characters of Crockford base32 encoding the time in milliseconds and a
 * counter, so ids sort by arrival, are unique within a server (one per home, enforced by the spool
 * lock) and across restarts, and are safe as file names ({@code badmail/<id>.bad}). Thread-safe.
 */
public final class MessageIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final int COUNTER_BITS = 20;
    private static final long COUNTER_MAX = (1L << COUNTER_BITS) - 1;

    private final Clock clock;
    private long lastMillis;
    private long counter;

    public MessageIds(Clock clock) {
        this.clock = clock;
    }

    public synchronized String next() {
        long now = clock.millis();
        if (now > lastMillis) {
            lastMillis = now;
            counter = 0;
        } else if (++counter > COUNTER_MAX) {
            lastMillis++;
            counter = 0;
        }
        long value = (lastMillis << COUNTER_BITS) | counter;
        char[] out = new char[13];
        for (int i = 12; i >= 0; i--) {
            out[i] = ALPHABET[(int) (value & 31)];
            value >>>= 5;
        }
        return new String(out);
    }
}
