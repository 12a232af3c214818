package dev.mailroot.server.spool;

import dev.mailroot.server.message.MessageContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@link Spool} in {@code mailroot/queue/}: where an accepted message lives until it is delivered, sent
 * to badmail or dropped. Every change is a record in the {@link Journal}; a message is accepted
 * when its SUBMIT record is durable, and leaves when its DONE record is. Messages larger than the
 * inline limit keep their content in a file of their own ({@code <id>.eml}), made durable before
 * the record that names it.
 *
 * <p>Old segments are deleted oldest first once none of their messages is live, so a segment is
 * never deleted while a later record could still matter for an earlier message. A message that
 * waits long (a delivery retry) is re-written into the active segment so it does not pin old ones.
 *
 * <p>Content of recent messages is kept in memory up to a budget, so delivery does not read back
 * what intake just wrote. Thread-safe. One spool per folder: a lock file keeps a second server out.
 */
public final class JournalSpool implements Spool {

    // logged as Spool, as before the interface was drawn: operators filter and set levels by that name
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final Path dir;
    private final Options options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, SpoolEntry> entries = new ConcurrentHashMap<>();
    private final TreeMap<Long, Integer> liveBySegment = new TreeMap<>();
    private final ContentCache cache;
    private final AtomicLong contentFiles = new AtomicLong(System.currentTimeMillis());
    private final List<SpoolEntry> recovered;
    private final Journal journal;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private JournalSpool(Path dir, Options options, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.options = options;
        this.cache = new ContentCache(options.cacheBytes());
        this.lockChannel = lockChannel;
        this.lock = lock;
        JournalRecovery recovery = new JournalRecovery(dir, cache);
        this.journal = Journal.open(dir, options.segmentBytes(), recovery, seq -> deleteDrainedSegments());
        recovery.checkContent();
        this.recovered = List.copyOf(recovery.live.values());
        recordCrashes(recovery.openCalls);
        for (SpoolEntry e : recovered) {
            entries.put(e.id(), e);
            liveBySegment.merge(e.segment(), 1, Integer::sum);
        }
        for (long seq : Journal.segments(dir)) {
            liveBySegment.putIfAbsent(seq, 0);
        }
        removeOrphanFiles();
        deleteDrainedSegments();
    }

    /**
     * Messages that were in a sink call when the process died: their crash count goes up by one and
     * the binding joins their suspects, durably, before anything can run them again.
     */
    private void recordCrashes(Map<String, BindingRef> openCalls) throws IOException {
        for (SpoolEntry e : recovered) {
            BindingRef b = openCalls.get(e.id());
            if (b == null) {
                continue;
            }
            List<BindingRef> suspects = new ArrayList<>(e.suspects());
            suspects.add(b);
            int crashes = e.crashes() + 1;
            await(journal.append(Records.SUSPECT, Records.suspect(e.id(), crashes, suspects), Journal.Wait.NOW,
                    p -> e.crashed(crashes, suspects)));
        }
    }

    /**
     * The messages in the spool in {@code dir} as its journal says now, read without the lock and
     * without changing anything (for tools while the server is stopped): a server running meanwhile
     * may have moved on.
     */
    static List<SpoolEntry> readOnly(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        JournalRecovery recovery = new JournalRecovery(dir, new ContentCache(0));
        for (long seq : Journal.segments(dir)) {
            SegmentReader.read(Journal.segmentPath(dir, seq), seq, recovery);
        }
        recovery.checkContent();
        return List.copyOf(recovery.live.values());
    }

    /** Opens (and recovers) the spool in {@code dir}, creating it if needed. */
    static JournalSpool open(Path dir, Options options) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new LockedException(dir);
        }
        try {
            return new JournalSpool(dir, options, ch, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    /** The messages that were in the spool when it was opened, in the order they were written. */
    @Override
    public List<SpoolEntry> recovered() {
        return recovered;
    }

    /** How many messages are in the spool. */
    @Override
    public int size() {
        return entries.size();
    }

    /** The messages in the spool now. */
    @Override
    public Collection<SpoolEntry> entries() {
        return List.copyOf(entries.values());
    }

    /** A buffer for the incoming message {@code id}. */
    @Override
    public MessageBuffer newBuffer(String id) {
        return new MessageBuffer(dir.resolve(id + ".eml"), options.inlineLimit());
    }

    /**
     * Makes a message durable in the spool. When this returns, the message survives a crash and the
     * caller may acknowledge it (SMTP {@code 250}, removing the pickup file).
     *
     * @throws IOException if it could not be made durable; nothing of it is kept
     */
    /** Durable when the SUBMIT record (and, for a large message, its content file before it) is. */
    @Override
    public SpoolEntry submit(String id, SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                             MessageBuffer buffer) throws IOException {
        try {
            if (buffer.spilled()) {
                buffer.finish();
                byte[] head = Records.submitExternal(id, envelope, Stage.SUBMITTED, override, progress,
                        buffer.spillFile().getFileName().toString(), buffer.size());
                SpoolEntry[] entry = new SpoolEntry[1];
                await(journal.append(Records.SUBMIT, head, p -> entry[0] = register(new SpoolEntry(id, envelope,
                        Stage.SUBMITTED, override, progress, buffer.size(), buffer.spillFile(), p.segment(), 0, null))));
                return entry[0];
            }
            byte[] head = Records.submitInline(id, envelope, Stage.SUBMITTED, override, progress, buffer.length());
            byte[] bytes = buffer.array();
            int length = buffer.length();
            byte[] cached = cache.reserve(bytes.length) ? bytes : null;
            SpoolEntry[] entry = new SpoolEntry[1];
            try {
                await(journal.append(Records.SUBMIT, head, bytes, 0, length, p -> entry[0] = register(new SpoolEntry(id,
                        envelope, Stage.SUBMITTED, override, progress, length, null, p.segment(),
                        p.payloadOffset(head.length), cached))));
            } catch (IOException e) {
                cache.release(cached);
                throw e;
            }
            return entry[0];
        } catch (IOException e) {
            buffer.discard();
            throw e;
        }
    }

    /**
     * Records a new envelope, stage and header section for a message; durable when this returns.
     * While SMTP intake is busy the record waits up to 2 ms to share the commit of the next
     * {@code 250} instead of paying a flush of its own (only the delivery that follows waits for
     * it, and a flush fewer per message leaves the device to the {@code 250}s); when intake is
     * idle it is committed at once.
     */
    @Override
    public void update(SpoolEntry entry, SpoolEnvelope envelope, Stage stage, HeaderOverride override, Progress progress)
            throws IOException {
        await(journal.append(Records.UPDATE, Records.update(entry.id(), envelope, stage, override, progress),
                Journal.Wait.SOON, p -> {
                    entry.state(envelope, stage, override, progress);
                    entry.crashed(0, List.of());
                    entry.inCall(null);
                }));
    }

    /**
     * Records what the sinks changed so far while the message's chain goes on (before the next call)
     * or waits (deferred): its crash count and open call stay. With {@code durable} the record is
     * durable when this returns; otherwise it shares the next commit, and a crash before it only
     * means the calls since the last record run again.
     */
    @Override
    public void progress(SpoolEntry entry, SpoolEnvelope envelope, HeaderOverride override, Progress progress,
                         boolean durable) throws IOException {
        entry.state(envelope, Stage.SUBMITTED, override, progress);
        CompletableFuture<Journal.Position> f = journal.append(Records.PROGRESS,
                Records.update(entry.id(), envelope, Stage.SUBMITTED, override, progress), Journal.Wait.SOON, p -> { });
        if (durable) {
            await(f);
        } else {
            f.exceptionally(e -> {
                log.warn("MR1007 id={} could not record the sinks' progress: {}", entry.id(), e.toString());
                return null;
            });
        }
    }

    /**
     * A new file in the queue folder for content that replaces {@code entry}'s (a sink's
     * {@code replaceBody}); the caller writes it, makes it durable, and names it in the message's
     * {@link Progress}. Files a message no longer names are removed when it leaves or at the next start.
     */
    @Override
    public void discardContent(SpoolEntry entry, List<Path> files) {
        Progress.ContentFile kept = entry.progress().content();
        for (Path p : files) {
            if (kept == null || !p.getFileName().toString().equals(kept.name())) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("id={} cannot remove {}: {}; it is removed when the message leaves", entry.id(),
                            p.getFileName(), e.toString());
                }
            }
        }
    }

    @Override
    public Path newContentFile(SpoolEntry entry) {
        entry.madeContentFiles();
        return dir.resolve(entry.id() + ".r" + Long.toString(contentFiles.incrementAndGet(), 36) + ".eml");
    }

    /**
     * Records, before a sink call on a message starts, which binding is about to run, so that if
     * the process dies during the call the next start knows the message and the binding
     * (poison-message protection, docs/reliability.md). With {@code durable} the record is durable
     * when this returns; while intake is busy it shares the commit of the next {@code 250}, as an
     * {@link #update} does. Without it, the record is queued for the next commit (a few
     * milliseconds) and this returns at once: a death before that commit is blamed on the binding
     * recorded before it.
     */
    @Override
    public void beginCall(SpoolEntry entry, BindingRef binding, boolean durable) throws IOException {
        // marked at once, not at the commit: a planned stop from now on must end this call in the journal
        entry.inCall(binding);
        CompletableFuture<Journal.Position> f = journal.append(Records.CALL, Records.call(entry.id(), binding),
                Journal.Wait.SOON, p -> { });
        if (durable) {
            await(f);
        } else {
            f.exceptionally(e -> {
                log.warn("MR1007 id={} could not record a sink call: {}", entry.id(), e.toString());
                return null;
            });
        }
    }

    /**
     * Records that the OnSubmission sinks ran on a message and changed nothing. If sink calls were
     * recorded ({@code sinksRan}), a record saying the chain ended is queued without waiting for it
     * (it shares a later commit): it ends the last call, and after a crash it spares the sinks a
     * second run. Without it (a crash within the few milliseconds before it is written) the sinks
     * run again. No record is written when no sink ran: the chain costs nothing then.
     */
    /** The chain's {@code trace} entries go into the CHAIN_END record. */
    @Override
    public void markDispatched(SpoolEntry entry, boolean sinksRan, List<TraceEntry> trace) {
        entry.state(entry.envelope(), Stage.DISPATCHED, entry.override(), entry.progress().traced(trace).chainEnded());
        entry.crashed(0, List.of());
        entry.inCall(null);
        if (sinksRan) {
            journal.append(Records.CHAIN_END, Records.chainEnd(entry.id(), trace), Journal.Wait.LATER, p -> { })
                    .exceptionally(e -> {
                        log.warn("MR1007 id={} could not record that its sinks ran; they run again after a restart: {}",
                                entry.id(), e.toString());
                        return null;
                    });
        }
    }

    /**
     * Re-writes a message that is going to wait (a delivery retry) into the active segment, with
     * {@code envelope} as its envelope and its current stage and headers, so that the segment it
     * was in can be deleted meanwhile; durable when this returns.
     */
    @Override
    public void rewrite(SpoolEntry entry, SpoolEnvelope envelope) throws IOException {
        long oldSegment = entry.segment();
        Consumer<Journal.Position> moved = p -> {
            synchronized (this) {
                liveBySegment.merge(p.segment(), 1, Integer::sum);
                liveBySegment.merge(oldSegment, -1, Integer::sum);
            }
            entry.state(envelope, entry.stage(), entry.override());
        };
        Progress progress = entry.progress();
        CompletableFuture<Journal.Position> submitted;
        if (entry.external() != null) {
            byte[] head = Records.submitExternal(entry.id(), envelope, entry.stage(), entry.override(), progress,
                    entry.external().getFileName().toString(), entry.length());
            submitted = journal.append(Records.SUBMIT, head, moved.andThen(p -> entry.moved(p.segment(), 0)));
        } else {
            byte[] bytes = MessageContent.readAll(originalContent(entry));
            byte[] head = Records.submitInline(entry.id(), envelope, entry.stage(), entry.override(), progress, bytes.length);
            submitted = journal.append(Records.SUBMIT, head, bytes, 0, bytes.length,
                    moved.andThen(p -> entry.moved(p.segment(), p.payloadOffset(head.length))));
        }
        // the segment that held its crash count may now go: the count moves with the message, queued
        // at once behind it so that both share a commit
        CompletableFuture<Journal.Position> counted = entry.crashes() == 0 ? null
                : journal.append(Records.SUSPECT, Records.suspect(entry.id(), entry.crashes(), entry.suspects()),
                Journal.Wait.NOW, p -> { });
        await(submitted);
        if (counted != null) {
            await(counted);
        }
        deleteDrainedSegments();
    }

    /**
     * The message left the spool ({@code outcome}: delivered, badmail, aborted). Returns at once;
     * the record is made durable with the next group commit, after which the message's space is
     * reclaimed. Until then a crash re-delivers it (at-least-once).
     */
    @Override
    public CompletableFuture<Void> done(SpoolEntry entry, String outcome) {
        entries.remove(entry.id());
        entry.inCall(null);
        return journal.append(Records.DONE, Records.done(entry.id(), outcome), Journal.Wait.LATER, p -> {
            synchronized (this) {
                liveBySegment.merge(entry.segment(), -1, Integer::sum);
            }
            release(entry);
        }).thenRun(this::deleteDrainedSegments).exceptionally(e -> {
            log.error("MR1007 id={} could not record that the message left the spool; it will be processed "
                    + "again after a restart: {}", entry.id(), e.toString());
            return null;
        });
    }

    /** The message as it is now: the sinks' header section, if any, followed by the original body. */
    @Override
    public MessageContent content(SpoolEntry entry) {
        Progress.ContentFile replaced = entry.progress().content();
        MessageContent original = replaced == null ? originalContent(entry)
                : MessageContent.ofFile(dir.resolve(replaced.name()), 0, replaced.length());
        HeaderOverride o = entry.override();
        return o == null ? original : MessageContent.concat(MessageContent.of(o.headers()), original.slice(o.end()));
    }

    /** The message as it was accepted. */
    @Override
    public MessageContent originalContent(SpoolEntry entry) {
        byte[] cached = entry.cached();
        if (cached != null) {
            return MessageContent.of(cached, 0, (int) entry.length());
        }
        if (entry.external() != null) {
            return MessageContent.ofFile(entry.external(), 0, entry.length());
        }
        return MessageContent.ofFile(journal.segmentPath(entry.segment()), entry.offset(), entry.length());
    }

    /**
     * As {@link #close(boolean)}, where the messages whose open sink call counts as a death are
     * those {@code diedInCall} accepts (plugin code that called {@code System.exit} from a sink
     * thread ends only its own message's call that way). Not synchronized on the spool: the
     * journal's commit callbacks, which it waits for, take that lock.
     */
    @Override
    public void close(java.util.function.Predicate<String> diedInCall) throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (SpoolEntry e : entries.values()) {
            if (e.inCall() != null && !diedInCall.test(e.id())) {
                journal.append(Records.CALL_END, Records.idOnly(e.id()), Journal.Wait.LATER, p -> { });
            }
        }
        try {
            journal.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    private SpoolEntry register(SpoolEntry entry) {
        entries.put(entry.id(), entry);
        synchronized (this) {
            liveBySegment.merge(entry.segment(), 1, Integer::sum);
        }
        return entry;
    }

    private void release(SpoolEntry entry) {
        if (entry.hasContentFiles()) {
            deleteContentFiles(entry.id(), null);
        }
        if (entry.cached() != null) {
            cache.release(entry.cached());
            entry.dropCache();
        }
        if (entry.external() != null) {
            try {
                Files.deleteIfExists(entry.external());
            } catch (IOException e) {
                log.warn("id={} cannot remove {}: {}; it is removed at the next start", entry.id(), entry.external(), e.toString());
            }
        }
    }

    /** Deletes {@code id}'s replaced-content files except {@code keep} (a file name, or null). */
    private void deleteContentFiles(String id, String keep) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, id + ".r*.eml")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(keep)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            log.warn("id={} cannot remove its replaced content files: {}; they are removed at the next start", id, e.toString());
        }
    }

    /** Deletes segments, oldest first, up to the first that still holds a live message or is active. */
    private void deleteDrainedSegments() {
        List<Long> drained = new ArrayList<>();
        synchronized (this) {
            long active = journal == null ? Long.MAX_VALUE : journal.activeSegment();
            while (!liveBySegment.isEmpty()) {
                Map.Entry<Long, Integer> oldest = liveBySegment.firstEntry();
                if (oldest.getKey() >= active || oldest.getValue() > 0) {
                    break;
                }
                liveBySegment.pollFirstEntry();
                drained.add(oldest.getKey());
            }
        }
        for (long seq : drained) {
            try {
                journal.deleteSegment(seq);
            } catch (IOException e) {
                log.warn("cannot delete drained spool segment {}: {}", seq, e.toString());
            }
        }
    }

    private void removeOrphanFiles() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.eml")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String id = name.replaceFirst("(\\.r[0-9a-z]+)?\\.eml$", "");
                SpoolEntry e = entries.get(id);
                Progress.ContentFile replaced = e == null ? null : e.progress().content();
                boolean named = e != null && (p.equals(e.external()) || replaced != null && replaced.name().equals(name));
                if (!named) {
                    log.info("removing {}: content of a message that never got into the spool, already left, or "
                            + "was replaced", name);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Journal.Position await(CompletableFuture<Journal.Position> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the spool");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }
}
