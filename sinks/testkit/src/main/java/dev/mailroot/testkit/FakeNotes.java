package dev.mailroot.testkit;

import dev.mailroot.host.message.NoteMap;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.Notes;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory {@link Notes} with the server's own rules ({@link NoteMap}: a note read with another type
 * than it was set with, a null value, a {@code String} longer than 65536 characters, too many notes
 * are refused with {@link IllegalArgumentException}); names keep the order they were first set in.
 * Not thread-safe.
 */
public final class FakeNotes implements Notes {
    /** The longest {@code String} a note may hold. */
    public static final int MAX_STRING = NoteMap.MAX_STRING;

    private final NoteMap notes = new NoteMap();

    @Override
    public <T> Optional<T> get(Note<T> note) {
        return notes.get(note);
    }

    @Override
    public <T> void put(Note<T> note, T value) {
        notes.put(note, value);
    }

    @Override
    public boolean remove(String name) {
        return notes.remove(name);
    }

    @Override
    public Set<String> names() {
        return notes.names();
    }

    /** The notes as name to value, in order: for assertions. */
    public Map<String, Object> asMap() {
        return java.util.Collections.unmodifiableMap(notes.snapshot());
    }

    @Override
    public String toString() {
        return notes.toString();
    }

    Map<String, Object> snapshot() {
        return notes.snapshot();
    }

    void restore(Map<String, Object> saved) {
        notes.restore(saved);
    }
}
