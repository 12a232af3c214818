package dev.mailroot.server.dispatch;

import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.HeaderOverride;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.sink.Envelope;
import dev.mailroot.sink.Fate;
import dev.mailroot.sink.Headers;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A spooled message as the sinks see it. The header section is parsed on first use, so sinks that
 * look only at the envelope cost nothing more.
 */
public final class SpooledSubmission implements Submission {
    private final SpoolEntry entry;
    private final MessageContent content;
    private final Session mailSession;
    private final MutableEnvelope envelope;
    private HeaderSection section;
    private SectionHeaders headers;
    private Fate fate = Fate.deliver();

    /**
     * @param entry       the spooled message
     * @param content     its current content
     * @param mailSession the Jakarta Mail session used for {@link #mimeMessage()}
     */
    public SpooledSubmission(SpoolEntry entry, MessageContent content, Session mailSession) {
        this.entry = entry;
        this.content = content;
        this.mailSession = mailSession;
        this.envelope = new MutableEnvelope(entry.envelope());
    }

    @Override
    public String id() {
        return entry.id();
    }

    /** The spooled message this submission shows. */
    public SpoolEntry entry() {
        return entry;
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
    public Fate fate() {
        return fate;
    }

    @Override
    public void setFate(Fate fate) {
        this.fate = Objects.requireNonNull(fate, "fate");
    }

    /** The state of the envelope, headers and fate before a sink call, to undo a failed call. */
    static final class Checkpoint {
        private final MutableEnvelope.Snapshot envelope;
        private final HeaderSection section;
        private final Object sectionState;
        private final Fate fate;

        private Checkpoint(MutableEnvelope.Snapshot envelope, HeaderSection section, Object sectionState, Fate fate) {
            this.envelope = envelope;
            this.section = section;
            this.sectionState = sectionState;
            this.fate = fate;
        }
    }

    Checkpoint checkpoint() {
        return new Checkpoint(envelope.snapshot(), section, section == null ? null : section.saveState(), fate);
    }

    /** Undoes whatever happened since {@code c}. */
    void restore(Checkpoint c) {
        envelope.restore(c.envelope);
        if (c.section == null) {
            section = null; // parsed anew from the spooled bytes if needed
            headers = null;
        } else {
            section = c.section;
            section.restore(c.sectionState);
        }
        fate = c.fate;
    }

    /** Whether a sink changed the envelope. */
    public boolean envelopeChanged() {
        return envelope.changed();
    }

    /** Whether a sink changed the headers. */
    public boolean headersChanged() {
        return section != null && section.changed();
    }

    /** The envelope as the sinks left it. */
    public dev.mailroot.server.spool.SpoolEnvelope resultEnvelope() {
        return envelope.toSpoolEnvelope();
    }

    /**
     * The header section as the sinks left it, relative to the message as it was accepted, or the
     * existing override if the sinks did not change the headers.
     */
    public HeaderOverride resultOverride() {
        HeaderOverride existing = entry.override();
        if (!headersChanged()) {
            return existing;
        }
        byte[] fields = section.toBytes();
        long end = existing == null ? section.end()
                : existing.end() + (section.end() - existing.headers().length);
        return new HeaderOverride(fields, end);
    }

    /** The message with the sinks' header changes applied. */
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

    // --- sink framework v2: implemented in the following commits
    @Override
    public InputStream content() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.io.OutputStream replaceBody() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.io.OutputStream replaceMessage() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public dev.mailroot.sink.Notes notes() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public boolean setRecipientFate(String recipient, dev.mailroot.sink.RecipientFate fate) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public java.util.Map<String, dev.mailroot.sink.RecipientFate> recipientFates() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String send(String mailFrom, java.util.List<String> recipients, dev.mailroot.sink.MessageWriter content) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
}
