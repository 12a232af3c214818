package dev.mailroot.server.dispatch;

import dev.mailroot.host.message.MessageRules;
import dev.mailroot.host.message.NoteMap;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.Fsync;
import dev.mailroot.server.spool.HeaderOverride;
import dev.mailroot.server.spool.Progress;
import dev.mailroot.server.spool.RecipientOutcome;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Envelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Headers;
import dev.mailroot.sink.MessageWriter;
import dev.mailroot.sink.Notes;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A spooled message as the sinks see it, and what they make of it: the envelope, the header section
 * (parsed on first use, so sinks that look only at the envelope cost nothing more), a replaced
 * content (streamed to a file in the queue folder), the notes, the recipients' fates and the fate.
 * The dispatcher takes a checkpoint before each call and restores it when the call fails.
 */
public final class SpooledSubmission implements Submission {
    private final SpoolEntry entry;
    /** The message as the chain found it: the spool's entry changes as the chain's progress is recorded. */
    private final HeaderOverride baseOverride;
    private final Progress baseProgress;
    private final Session mailSession;
    private final MutableEnvelope envelope;
    private final NoteMap notes;
    private final List<RecipientOutcome> outcomes;
    private final Function<SpoolEntry, Path> newContentFile;
    private final SinkMail mail;
    private MessageContent content;
    private Progress.ContentFile replaced;
    private HeaderSection section;
    private SectionHeaders headers;
    private Fate fate = Fate.deliver();
    /** The binding whose call runs now ("name {id}"), for the recipients' outcomes. */
    private String caller = "";
    /** Content files made in this chain (removed if the chain's result does not name them). */
    private final List<Path> made = new ArrayList<>();

    /**
     * @param entry          the spooled message
     * @param content        its current content
     * @param mailSession    the Jakarta Mail session used for {@link #mimeMessage()}
     * @param newContentFile a new file in the queue folder for replaced content
     * @param mail           where mail sent by sinks goes
     */
    public SpooledSubmission(SpoolEntry entry, MessageContent content, Session mailSession,
                             Function<SpoolEntry, Path> newContentFile, SinkMail mail) {
        this.entry = entry;
        this.content = content;
        this.mailSession = mailSession;
        this.newContentFile = newContentFile;
        this.mail = mail;
        this.envelope = new MutableEnvelope(entry.envelope());
        this.baseOverride = entry.override();
        this.baseProgress = entry.progress();
        this.notes = new NoteMap(baseProgress.notes());
        this.outcomes = new ArrayList<>(baseProgress.outcomes());
        this.replaced = baseProgress.content();
    }

    /** A submission whose content cannot be replaced and which cannot send mail (tests). */
    public SpooledSubmission(SpoolEntry entry, MessageContent content, Session mailSession) {
        this(entry, content, mailSession, e -> {
            throw new UnsupportedOperationException("no content files here");
        }, SinkMail.NONE);
    }

    @Override
    public String id() {
        return entry.id();
    }

    /** The spooled message this submission shows. */
    public SpoolEntry entry() {
        return entry;
    }

    void calledBy(String binding) {
        this.caller = binding;
    }

    @Override
    public Source source() {
        return entry.envelope().source();
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public Headers headers() {
        if (headers == null) {
            headers = new SectionHeaders(section());
        }
        return headers;
    }

    @Override
    public InputStream body() throws IOException {
        return content.slice(section().bodyStart()).open();
    }

    @Override
    public InputStream content() throws IOException {
        return current().open();
    }

    @Override
    public long size() {
        return content.size();
    }

    @Override
    public MimeMessage mimeMessage() throws MessagingException, IOException {
        try (InputStream in = current().open()) {
            return new MimeMessage(mailSession, in);
        }
    }

    @Override
    public Replacement replaceBody() throws IOException {
        return replacement(true);
    }

    @Override
    public Replacement replaceMessage() throws IOException {
        return replacement(false);
    }

    /**
     * A stream to a new content file; for a body, the current header section and the blank line are
     * written first. Closing it makes the file durable and the message's content; {@link
     * Replacement#abort()} gives it up (the file is removed).
     */
    private Replacement replacement(boolean keepHeaders) throws IOException {
        Path file = newContentFile.apply(entry);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        made.add(file);
        Replacement r = new Replacement(file, channel);
        try {
            if (keepHeaders) {
                HeaderSection s = section();
                r.write(s.toBytes());
                // the blank line between the header section and the body, as the message has it
                int sep = (int) Math.max(0, s.bodyStart() - s.end());
                try (InputStream in = content.slice(s.end()).open()) {
                    byte[] b = in.readNBytes(sep);
                    r.write(b.length > 0 ? b : s.newline().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException | RuntimeException e) {
            r.abort();
            throw e;
        }
        return r;
    }

    /** A replaced content being written: to a file of the spool, never to memory. */
    final class Replacement extends FilterOutputStream {
        private final Path file;
        private final FileChannel channel;
        private boolean ended;

        private Replacement(Path file, FileChannel channel) {
            super(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
            this.file = file;
            this.channel = channel;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        /** Makes the file durable and the message's content. */
        @Override
        public void close() throws IOException {
            if (ended) {
                return;
            }
            ended = true;
            long length;
            try {
                out.flush();
                channel.force(false);
                length = channel.size();
            } catch (IOException | RuntimeException e) {
                abortQuietly();
                throw e;
            } finally {
                channel.close();
            }
            Fsync.directory(file.getParent());
            adopt(file, length);
        }

        /** Gives the replacement up: the file is closed and removed; the message keeps its content. */
        void abort() {
            ended = true;
            abortQuietly();
        }

        private void abortQuietly() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a file we only wrote to
            }
            forget(file);
        }
    }

    private void adopt(Path file, long length) {
        replaced = new Progress.ContentFile(file.getFileName().toString(), length);
        content = MessageContent.ofFile(file, 0, length);
        section = null;
        headers = null;
    }

    @Override
    public Notes notes() {
        return notes;
    }

    @Override
    public Fate fate() {
        return fate;
    }

    @Override
    public void setFate(Fate fate) {
        this.fate = Objects.requireNonNull(fate, "fate");
    }

    @Override
    public boolean setRecipientFate(String recipient, RecipientFate fate) {
        Objects.requireNonNull(fate, "fate");
        if (recipient == null) {
            return false;
        }
        String match = null;
        for (String r : envelope.recipients()) {
            if (r.toLowerCase(Locale.ROOT).equals(recipient.toLowerCase(Locale.ROOT))) {
                match = r;
            }
        }
        if (match == null) {
            return false;
        }
        envelope.removeRecipient(match);
        outcomes.add(new RecipientOutcome(match, fate.kind().name(), fate.reason(), caller));
        return true;
    }

    @Override
    public Map<String, RecipientFate> recipientFates() {
        Map<String, RecipientFate> m = new LinkedHashMap<>();
        for (RecipientOutcome o : outcomes) {
            m.put(o.recipient(), new RecipientFate(RecipientFate.Kind.valueOf(o.kind()), o.reason()));
        }
        return m;
    }

    @Override
    public String send(String mailFrom, List<String> recipients, MessageWriter content) throws IOException {
        return send(caller, mailFrom, recipients, content);
    }

    /** {@link #send} for the call of binding {@code by} (a late call cannot take the next one's name). */
    String send(String by, String mailFrom, List<String> recipients, MessageWriter content) throws IOException {
        Objects.requireNonNull(content, "content");
        if (mailFrom == null) {
            throw new IllegalArgumentException("sender is null; use \"\" for the null sender");
        }
        if (!mailFrom.isEmpty()) {
            MessageRules.checkAddress(mailFrom);
        }
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        recipients.forEach(MessageRules::checkAddress);
        return mail.send(entry, by, mailFrom, List.copyOf(recipients), content);
    }

    private void forget(Path file) {
        made.remove(file);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // removed with the message, or at the next start
        }
    }

    /** The content files this chain's replacements made (and did not give up). */
    List<Path> madeFiles() {
        return List.copyOf(made);
    }

    /** The state before a sink call, to undo a failed call. */
    static final class Checkpoint {
        private final MutableEnvelope.Snapshot envelope;
        private final HeaderSection section;
        private final Object sectionState;
        private final Fate fate;
        private final Map<String, Object> notes;
        private final int outcomes;
        private final MessageContent content;
        private final Progress.ContentFile replaced;

        private Checkpoint(SpooledSubmission s) {
            this.envelope = s.envelope.snapshot();
            this.section = s.section;
            this.sectionState = s.section == null ? null : s.section.saveState();
            this.fate = s.fate;
            this.notes = s.notes.snapshot();
            this.outcomes = s.outcomes.size();
            this.content = s.content;
            this.replaced = s.replaced;
        }
    }

    Checkpoint checkpoint() {
        return new Checkpoint(this);
    }

    /** Undoes whatever happened since {@code c}. */
    void restore(Checkpoint c) {
        envelope.restore(c.envelope);
        content = c.content;
        replaced = c.replaced;
        if (c.section == null) {
            section = null; // parsed anew from the content if needed
            headers = null;
        } else {
            if (section != c.section) {
                headers = null;
            }
            section = c.section;
            section.restore(c.sectionState);
        }
        fate = c.fate;
        notes.restore(c.notes);
        while (outcomes.size() > c.outcomes) {
            outcomes.remove(outcomes.size() - 1);
        }
    }

    /** Whether a sink changed the envelope. */
    public boolean envelopeChanged() {
        return envelope.changed();
    }

    /** Whether a sink changed the headers (of the current content). */
    public boolean headersChanged() {
        return section != null && section.changed();
    }

    /** The message's progress as the chain found it. */
    Progress baseProgress() {
        return baseProgress;
    }

    /** Whether a sink replaced the content in this chain. */
    boolean contentReplaced() {
        return !Objects.equals(replaced, baseProgress.content());
    }

    /** Whether anything the spool keeps differs from the spooled message. */
    boolean changed() {
        return envelopeChanged() || headersChanged() || contentReplaced()
                || !notes.asMap().equals(baseProgress.notes()) || outcomes.size() != baseProgress.outcomes().size();
    }

    /** The envelope as the sinks left it. */
    SpoolEnvelope resultEnvelope() {
        return envelope.toSpoolEnvelope();
    }

    /**
     * The header section as the sinks left it, relative to the content it applies to (the
     * accepted message, or the replaced content), or the existing override if the sinks did not
     * change the headers; null if the content's own headers stand.
     */
    HeaderOverride resultOverride() {
        HeaderOverride existing = contentReplaced() ? null : baseOverride;
        if (!headersChanged()) {
            return existing;
        }
        byte[] fields = section.toBytes();
        long end = existing == null ? section.end()
                : existing.end() + (section.end() - existing.headers().length);
        return new HeaderOverride(fields, end);
    }

    /** The sinks' progress: {@code done} bindings, the notes, outcomes, replaced content, the trace so far. */
    Progress resultProgress(List<String> done, List<dev.mailroot.server.spool.TraceEntry> trace) {
        Progress p = baseProgress;
        return new Progress(done, notes.asMap(), outcomes, replaced, p.trace(), p.generation()).traced(trace);
    }

    /** Puts a header field at the top of the message (the protocol events' OnEndOfData additions). */
    public void prependHeader(String name, String value) {
        section().prepend(name, value);
    }

    /** The message with the sinks' changes applied. */
    public MessageContent current() {
        return headersChanged() ? section.applyTo(content) : content;
    }

    private HeaderSection section() {
        if (section == null) {
            try {
                section = HeaderSection.parse(content);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read message " + entry.id(), e);
            }
        }
        return section;
    }
}
