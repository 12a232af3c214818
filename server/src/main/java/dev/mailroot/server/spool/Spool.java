package dev.mailroot.server.spool;

import dev.mailroot.server.message.MessageContent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Where an accepted message lives until it is delivered, sent to badmail or dropped: the narrow
 * interface admission, the queue runner and recovery use. {@link JournalSpool} keeps it in
 * {@code mailroot/queue/} as an append-only journal with group commit; a spool shared by several
 * servers (a database, leases that move when a server dies) is another implementation of this
 * interface, not a change to its users.
 *
 * <p>The promises every implementation keeps: {@link #submit} returns only once the message
 * survives a crash (the caller then acknowledges it); every later change ({@link #update},
 * {@link #progress}, {@link #beginCall}, {@link #done}) is recorded in the order it was made, so
 * what {@link #recovered()} gives back after a crash is a state the message really had; and a
 * message is never lost: it leaves only through {@link #done}. Thread-safe.
 */
public interface Spool extends Closeable {

    /**
     * @param segmentBytes a segment is closed for appends once it is this large
     * @param inlineLimit  messages up to this size are written into the journal itself
     * @param cacheBytes   how much message content to keep in memory
     */
    record Options(long segmentBytes, int inlineLimit, long cacheBytes) {
        public static Options defaults() {
            return new Options(32L << 20, 512 * 1024, 128L << 20);
        }
    }

    /** The folder is in use by another server. */
    final class LockedException extends IOException {
        LockedException(Path dir) {
            super("another Mailroot server is using " + dir);
        }
    }

    /** Opens (and recovers) the journal spool in {@code dir}, creating it if needed. */
    static Spool open(Path dir, Options options) throws IOException {
        return JournalSpool.open(dir, options);
    }

    /**
     * The messages in the spool in {@code dir}, read without taking it over or changing it (the
     * queue tools on a stopped server).
     */
    static List<SpoolEntry> readOnly(Path dir) throws IOException {
        return JournalSpool.readOnly(dir);
    }

    /** The messages that were in the spool when it was opened, in the order they were accepted. */
    List<SpoolEntry> recovered();

    /** How many messages are in the spool. */
    int size();

    /** The messages in the spool now. */
    Collection<SpoolEntry> entries();

    /** A buffer for the incoming message {@code id}. */
    MessageBuffer newBuffer(String id);

    /**
     * Makes a message durable in the spool, with header fields the server adds ({@code override},
     * or null) and its first trace entry and generation ({@code progress}). When this returns the
     * message survives a crash and the caller may acknowledge it (SMTP {@code 250}, removing the
     * pickup file).
     *
     * @throws IOException if it could not be made durable; nothing of it is kept
     */
    SpoolEntry submit(String id, SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                      MessageBuffer buffer) throws IOException;

    /** {@link #submit(String, SpoolEnvelope, HeaderOverride, Progress, MessageBuffer)} of a message as it came. */
    default SpoolEntry submit(String id, SpoolEnvelope envelope, MessageBuffer buffer) throws IOException {
        return submit(id, envelope, null, Progress.NONE, buffer);
    }

    /** Records a new envelope, stage, header section and progress for a message; durable when this returns. */
    void update(SpoolEntry entry, SpoolEnvelope envelope, Stage stage, HeaderOverride override, Progress progress)
            throws IOException;

    /** {@link #update(SpoolEntry, SpoolEnvelope, Stage, HeaderOverride, Progress)} keeping the progress. */
    default void update(SpoolEntry entry, SpoolEnvelope envelope, Stage stage, HeaderOverride override) throws IOException {
        update(entry, envelope, stage, override, entry.progress());
    }

    /**
     * Records what the sinks changed so far while the message's chain goes on or waits (deferred);
     * its crash count and open call stay. With {@code durable} the record is durable when this
     * returns; otherwise a crash before it is written means the calls since the last record run again.
     */
    void progress(SpoolEntry entry, SpoolEnvelope envelope, HeaderOverride override, Progress progress, boolean durable)
            throws IOException;

    /**
     * A new file for content that replaces {@code entry}'s (a sink's {@code replaceBody}); the
     * caller writes it, makes it durable and names it in the message's {@link Progress}. Files a
     * message no longer names are removed when it leaves or at the next start.
     */
    Path newContentFile(SpoolEntry entry);

    /**
     * Removes those of {@code files} (made with {@link #newContentFile}) that {@code entry} does not
     * name now: replacements undone with a failed call or replaced again. Call it once the record
     * naming the content the message keeps is durable.
     */
    void discardContent(SpoolEntry entry, List<Path> files);

    /**
     * Records, before a sink call on a message starts, which binding is about to run (poison-message
     * protection, docs/reliability.md); with {@code durable} the record is durable when this returns.
     */
    void beginCall(SpoolEntry entry, BindingRef binding, boolean durable) throws IOException;

    /**
     * Records that the OnSubmission sinks ran on a message and changed nothing but its trace
     * ({@code trace}: this chain's entries). Returns at once; see {@link JournalSpool} for when it is durable.
     */
    void markDispatched(SpoolEntry entry, boolean sinksRan, List<TraceEntry> trace);

    /** {@link #markDispatched(SpoolEntry, boolean, List)} without trace entries. */
    default void markDispatched(SpoolEntry entry, boolean sinksRan) {
        markDispatched(entry, sinksRan, List.of());
    }

    /**
     * Re-writes a message that is going to wait (a retry) with {@code envelope} as its envelope, so
     * that it does not pin old storage meanwhile; durable when this returns.
     */
    void rewrite(SpoolEntry entry, SpoolEnvelope envelope) throws IOException;

    /**
     * The message left the spool ({@code outcome}: delivered, badmail, aborted, ...). Returns at once;
     * until the record is durable a crash processes the message again (at-least-once).
     */
    CompletableFuture<Void> done(SpoolEntry entry, String outcome);

    /** The message as it is now: replaced content, if any, with the sinks' header section. */
    MessageContent content(SpoolEntry entry);

    /** The message as it was accepted. */
    MessageContent originalContent(SpoolEntry entry);

    /**
     * Writes what is queued and closes; messages still in the spool stay for the next start. The
     * messages whose open sink call counts as a death are those {@code diedInCall} accepts.
     */
    void close(Predicate<String> diedInCall) throws IOException;

    /** Closes after a planned stop ({@code planned}: no open call counts as a death) or not. */
    default void close(boolean planned) throws IOException {
        close(id -> !planned);
    }

    /** Closes after a planned stop. */
    @Override
    default void close() throws IOException {
        close(true);
    }
}
