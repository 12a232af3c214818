package dev.mailroot.filters;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The block lists' answers, listed and not listed alike, for a while ({@code cacheSeconds}), at most
 * {@code cacheSize} of them (the least recently used go first). JNDI keeps no cache, and a busy
 * server asks about the same clients again and again. Failed lookups are not kept.
 */
final class DnsblCache {

    /**
     * An answer.
     *
     * @param records the A records (none: not listed)
     * @param txt     the TXT record, if it was asked for and found
     */
    record Answer(List<String> records, Optional<String> txt) {
    }

    private record Entry(Answer answer, Instant expires) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Entry> entries;

    DnsblCache(Duration ttl, int size, Clock clock) {
        this.clock = clock;
        this.ttl = ttl;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > size;
            }
        };
    }

    /** The answer kept for {@code name}, if it has not expired. */
    synchronized Optional<Answer> get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.expires())) {
            entries.remove(name);
            return Optional.empty();
        }
        return Optional.of(e.answer());
    }

    synchronized void put(String name, Answer answer) {
        if (!ttl.isZero()) {
            entries.put(name, new Entry(answer, clock.instant().plus(ttl)));
        }
    }
}
