package dev.mailroot.sink;

import java.util.Optional;
import java.util.Set;

/**
 * The notes on a message: typed attributes that sinks set and later sinks read (see {@link Note}).
 * They are written to the spool with the message's other changes, survive a restart, and are
 * undone with the rest of a call's changes if the call fails or overruns. Not thread-safe: it
 * belongs to one message and is used by one thread at a time.
 */
public interface Notes {
    /**
     * The value of {@code note}, if set.
     *
     * @throws IllegalArgumentException if a note of that name is set with another type
     */
    <T> Optional<T> get(Note<T> note);

    /**
     * Sets {@code note} to {@code value}, replacing any value it had (of any type).
     *
     * @throws IllegalArgumentException if {@code value} is null, or a {@code String} longer than
     *                                  65536 characters
     */
    <T> void put(Note<T> note, T value);

    /**
     * Removes the note called {@code name}.
     *
     * @return whether it was set
     */
    boolean remove(String name);

    /** The names of the notes set, in the order they were first set. */
    Set<String> names();
}
