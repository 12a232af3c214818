package dev.mailroot.sink;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * The name and type of a note: a typed attribute one sink sets on a message and a later sink reads
 * (Haraka's {@code transaction.notes}, a James mail attribute). Declare a note once, as a constant,
 * and share it between the sinks that use it:
 *
 * <pre>{@code
 * static final Note<Double> SPAM_SCORE = Note.of("rspamd.score", Double.class);
 * submission.notes().put(SPAM_SCORE, 7.5);                    // one sink
 * double score = submission.notes().get(SPAM_SCORE).orElse(0.0);  // a later one
 * }</pre>
 *
 * <p>Notes are kept with the message in the spool, so they survive a restart. A value is one of
 * {@link #TYPES}: {@code String}, {@code Boolean}, {@code Integer}, {@code Long}, {@code Double}
 * or {@code Instant}.
 *
 * @param name a name of 1 to 128 printable ASCII characters without spaces; prefix it with your
 *             plugin id ({@code rspamd.score}) so that plugins do not collide
 * @param type the value's type, one of {@link #TYPES}
 * @param <T>  the value's type
 */
public record Note<T>(String name, Class<T> type) {
    /** The value types a note may have. */
    public static final Set<Class<?>> TYPES =
            Set.of(String.class, Boolean.class, Integer.class, Long.class, Double.class, Instant.class);

    public Note {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty() || name.length() > 128 || !name.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("a note name is 1 to 128 printable ASCII characters without spaces: " + name);
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("a note holds String, Boolean, Integer, Long, Double or Instant, not " + type.getName());
        }
    }

    /** The note {@code name} of type {@code type}. */
    public static <T> Note<T> of(String name, Class<T> type) {
        return new Note<>(name, type);
    }
}
