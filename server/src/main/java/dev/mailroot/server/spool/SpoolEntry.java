package dev.mailroot.server.spool;

import java.nio.file.Path;
import java.util.List;

/**
 * A message that is in the spool: its current envelope, stage and headers, and where its content
 * is. The spool changes an entry only through its own methods; one worker handles an entry at a
 * time.
 */
public final class SpoolEntry {
    private final String id;
    private volatile SpoolEnvelope envelope;
    private volatile Stage stage;
    private volatile HeaderOverride override;
    private volatile Progress progress;
    private final long length;
    private final Path external;
    private volatile long segment;
    private volatile long offset;
    private volatile byte[] cached;
    private int attempts;
    private volatile int crashes;
    private volatile List<BindingRef> suspects = List.of();
    /** Whether content files were made for this message (removed with it when it leaves). */
    private volatile boolean contentFiles;
    /** The binding whose call was recorded last, until the chain ends (in memory only). */
    private volatile BindingRef inCall;

    SpoolEntry(String id, SpoolEnvelope envelope, Stage stage, HeaderOverride override, Progress progress, long length,
               Path external, long segment, long offset, byte[] cached) {
        this.id = id;
        this.envelope = envelope;
        this.stage = stage;
        this.override = override;
        this.progress = progress == null ? Progress.NONE : progress;
        this.length = length;
        this.external = external;
        this.segment = segment;
        this.offset = offset;
        this.cached = cached;
    }

    public String id() {
        return id;
    }

    public SpoolEnvelope envelope() {
        return envelope;
    }

    public Stage stage() {
        return stage;
    }

    /** The header section written by sinks, or null if the original headers stand. */
    public HeaderOverride override() {
        return override;
    }

    /** The sinks' progress on this message: notes, fates, replaced content, trace (see {@link Progress}). */
    public Progress progress() {
        return progress;
    }

    /** How many delivery attempts failed temporarily since the server started. */
    public int attempts() {
        return attempts;
    }

    public int recordFailedAttempt() {
        return ++attempts;
    }

    /**
     * How many times the process died while a sink was handling this message (since its sinks last
     * ran to the end). Poison-message protection sets it aside once this reaches the threshold.
     */
    public int crashes() {
        return crashes;
    }

    /** The bindings whose sink calls were running on this message when the process died, oldest first. */
    public List<BindingRef> suspects() {
        return suspects;
    }

    void madeContentFiles() {
        contentFiles = true;
    }

    boolean hasContentFiles() {
        return contentFiles || progress.content() != null;
    }

    BindingRef inCall() {
        return inCall;
    }

    void inCall(BindingRef binding) {
        this.inCall = binding;
    }

    void crashed(int count, List<BindingRef> bindings) {
        this.crashes = count;
        this.suspects = List.copyOf(bindings);
    }

    long length() {
        return length;
    }

    /** The size of the message as it was accepted, in bytes. */
    public long size() {
        return length;
    }

    Path external() {
        return external;
    }

    long segment() {
        return segment;
    }

    long offset() {
        return offset;
    }

    byte[] cached() {
        return cached;
    }

    void state(SpoolEnvelope envelope, Stage stage, HeaderOverride override) {
        this.envelope = envelope;
        this.stage = stage;
        this.override = override;
    }

    void state(SpoolEnvelope envelope, Stage stage, HeaderOverride override, Progress progress) {
        state(envelope, stage, override);
        this.progress = progress;
    }

    /** Adds entries to the trace in memory (written with the message's next record, or at its end). */
    public void traceAll(List<TraceEntry> entries) {
        this.progress = progress.traced(entries);
    }

    /** Adds to the trace in memory (written with the message's next record, or at its end). */
    public void trace(TraceEntry entry) {
        this.progress = progress.traced(List.of(entry));
    }

    void moved(long segment, long offset) {
        this.segment = segment;
        this.offset = offset;
    }

    void dropCache() {
        this.cached = null;
    }

    @Override
    public String toString() {
        return id + " (" + stage + ", " + envelope.recipients().size() + " recipient(s))";
    }
}
