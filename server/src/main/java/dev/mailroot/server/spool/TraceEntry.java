package dev.mailroot.server.spool;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event in a message's trace: its arrival, each sink call (binding, outcome, time taken, what
 * it changed), a recipient's fate, a deferral, its delivery or its end. Kept with the message in
 * the spool while it is there, and written to the message-tracking log when it leaves.
 *
 * @param time   when it happened
 * @param event  what happened: {@code received}, {@code sink}, {@code recipient}, {@code deferred},
 *               {@code sent}, {@code delivered}, {@code badmail}, {@code aborted}, ...
 * @param fields the details, in the order they read best (all values text)
 */
public record TraceEntry(Instant time, String event, Map<String, String> fields) {
    public TraceEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(event, "event");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** An entry with the details given as name, value, name, value ...; null values are left out. */
    public static TraceEntry of(Instant time, String event, String... namesAndValues) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                f.put(namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return new TraceEntry(time, event, f);
    }
}
