package dev.mailroot.testkit;

import dev.mailroot.sink.Note;
import dev.mailroot.sink.Notes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory {@link Notes} with the server's rules: a note read with another type than it was set
 * with, a null value, and a {@code String} longer than 65536 characters are refused with
 * {@link IllegalArgumentException}; names keep the order they were first set in. Not thread-safe.
 */
public final class FakeNotes implements Notes {
    /** The longest {@code String} a note may hold. */
    public static final int MAX_STRING = 65536;

    private final Map<String, Object> values = new LinkedHashMap<>();

    @Override
    public <T> Optional<T> get(Note<T> note) {
        Object v = values.get(note.name());
        if (v == null) {
            return Optional.empty();
        }
        if (!note.type().isInstance(v)) {
            throw new IllegalArgumentException("note '" + note.name() + "' holds a " + v.getClass().getSimpleName()
                    + ", not a " + note.type().getSimpleName());
        }
        return Optional.of(note.type().cast(v));
    }

    @Override
    public <T> void put(Note<T> note, T value) {
        if (value == null) {
            throw new IllegalArgumentException("note '" + note.name() + "': a value is required (remove the note instead)");
        }
        if (!note.type().isInstance(value)) {
            throw new IllegalArgumentException("note '" + note.name() + "' holds a " + note.type().getSimpleName()
                    + ", not a " + value.getClass().getSimpleName());
        }
        if (value instanceof String s && s.length() > MAX_STRING) {
            throw new IllegalArgumentException("note '" + note.name() + "': a String note holds at most " + MAX_STRING + " characters");
        }
        values.put(note.name(), value);
    }

    @Override
    public boolean remove(String name) {
        return values.remove(name) != null;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(values.keySet()));
    }

    /** The notes as name to value, in order: for assertions. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    @Override
    public String toString() {
        return values.toString();
    }

    Map<String, Object> snapshot() {
        return new LinkedHashMap<>(values);
    }

    void restore(Map<String, Object> saved) {
        values.clear();
        values.putAll(saved);
    }
}
