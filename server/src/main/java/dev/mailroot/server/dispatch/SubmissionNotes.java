package dev.mailroot.server.dispatch;

import dev.mailroot.sink.Note;
import dev.mailroot.sink.Notes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The notes on a message while its sinks run: values by name, in the order first set. */
final class SubmissionNotes implements Notes {
    static final int MAX_STRING = 65536;
    /** All the notes of a message together: they are written to the spool with every change. */
    static final int MAX_TOTAL = 1 << 20;
    static final int MAX_NOTES = 1000;

    private final Map<String, Object> values;

    SubmissionNotes(Map<String, Object> values) {
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
        return Set.copyOf(values.keySet()).isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(
                new java.util.LinkedHashSet<>(values.keySet()));
    }

    Map<String, Object> values() {
        return values;
    }

    Map<String, Object> copy() {
        return new LinkedHashMap<>(values);
    }

    void restore(Map<String, Object> saved) {
        values.clear();
        values.putAll(saved);
    }
}
