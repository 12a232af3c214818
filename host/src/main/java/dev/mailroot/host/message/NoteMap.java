package dev.mailroot.host.message;

import dev.mailroot.sink.Note;
import dev.mailroot.sink.Notes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The notes on a message, with the rules the server keeps them by (and the testkit, so a sink's unit
 * tests meet the same refusals): a note read with another type than it was set with, a null value, a
 * {@code String} over {@value #MAX_STRING} characters, more than {@value #MAX_NOTES} notes or
 * {@value #MAX_TOTAL} characters in all are refused with {@link IllegalArgumentException}; names keep
 * the order they were first set in. Not thread-safe.
 */
public final class NoteMap implements Notes {
    public static final int MAX_STRING = 65536;
    /** All the notes of a message together: the server writes them to the spool with every change. */
    public static final int MAX_TOTAL = 1 << 20;
    public static final int MAX_NOTES = 1000;

    private final Map<String, Object> values;

    public NoteMap() {
        this(Map.of());
    }

    /** Notes holding {@code values} (as read back from the spool). */
    public NoteMap(Map<String, Object> values) {
        this.values = new LinkedHashMap<>(values);
    }

    @Override
    public <T> Optional<T> get(Note<T> note) {
        Object v = values.get(note.name());
        if (v == null) {
            return Optional.empty();
        }
        if (!note.type().isInstance(v)) {
            throw new IllegalArgumentException("note " + note.name() + " holds a " + v.getClass().getSimpleName()
                    + ", not a " + note.type().getSimpleName());
        }
        return Optional.of(note.type().cast(v));
    }

    @Override
    public <T> void put(Note<T> note, T value) {
        if (value == null) {
            throw new IllegalArgumentException("note " + note.name() + ": a value is required (use remove)");
        }
        if (!note.type().isInstance(value)) {
            throw new IllegalArgumentException("note " + note.name() + " is a " + note.type().getSimpleName()
                    + ", not a " + value.getClass().getSimpleName());
        }
        if (value instanceof String s && s.length() > MAX_STRING) {
            throw new IllegalArgumentException("note " + note.name() + " is longer than " + MAX_STRING + " characters");
        }
        Object previous = values.put(note.name(), value);
        if (values.size() > MAX_NOTES || size() > MAX_TOTAL) {
            if (previous == null) {
                values.remove(note.name());
            } else {
                values.put(note.name(), previous);
            }
            throw new IllegalArgumentException("note " + note.name() + " refused: a message holds at most " + MAX_NOTES
                    + " notes of " + MAX_TOTAL + " characters in all");
        }
    }

    /** About how many characters the notes take (names and values). */
    private long size() {
        long n = 0;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            n += e.getKey().length() + (e.getValue() instanceof String s ? s.length() : 16);
        }
        return n;
    }

    @Override
    public boolean remove(String name) {
        return values.remove(name) != null;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(values.keySet()));
    }

    /** The notes as name to value, in order; unmodifiable. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** A copy, to go back to with {@link #restore} (a call undone). */
    public Map<String, Object> snapshot() {
        return new LinkedHashMap<>(values);
    }

    /** Goes back to a {@link #snapshot}. */
    public void restore(Map<String, Object> saved) {
        values.clear();
        values.putAll(saved);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
