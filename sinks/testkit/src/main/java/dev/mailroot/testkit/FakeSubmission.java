package dev.mailroot.testkit;

import dev.mailroot.sink.Fate;
import dev.mailroot.sink.MailLoopException;
import dev.mailroot.sink.MessageWriter;
import dev.mailroot.sink.Note;
import dev.mailroot.sink.RecipientFate;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.Submission;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * An in-memory {@link Submission} (the role of James's {@code FakeMail}), built with
 * {@link #builder()}, whose envelope, headers, notes and fates behave as the server's. Pass it to a
 * sink directly, or run it through a chain of bindings with {@link ChainRunner}.
 *
 * <pre>{@code
 * FakeSubmission mail = FakeSubmission.builder()
 *         .from("a@example.org").to("sales@example.com")
 *         .header("Subject", "hi").body("text\r\n")
 *         .build();
 * }</pre>
 *
 * <p>Unlike the server it holds the message in memory: use it for messages of test size. Mail the
 * sink {@linkplain #send sends} is collected ({@link #sent()}), not delivered; a loop of sink mail
 * longer than {@link #maxGenerations()} is refused with {@link MailLoopException}, as by the server.
 * Not thread-safe, like the server's submission.
 */
public final class FakeSubmission implements Submission {
    /** The longest chain of sink mail the server allows by default (5, as the server). */
    public static final int DEFAULT_MAX_GENERATIONS = 5;

    private final String id;
    private final Source source;
    private final FakeEnvelope envelope;
    private FakeHeaders headers;
    private byte[] separator;
    private byte[] body;
    private final long size;
    private final FakeNotes notes = new FakeNotes();
    private Fate fate = Fate.deliver();
    private final Map<String, RecipientFate> recipientFates = new LinkedHashMap<>();
    private final int generation;
    private int maxGenerations = DEFAULT_MAX_GENERATIONS;
    private final List<SentMail> sent = new ArrayList<>();
    private final List<Replacement> open = new ArrayList<>();

    private FakeSubmission(Builder b, byte[] message) {
        this.id = b.id;
        this.source = b.source;
        this.envelope = new FakeEnvelope(b.mailFrom, b.recipients, b.helo, b.clientAddress, b.arrivalTime, b.pickupFileName);
        this.generation = b.generation;
        this.size = message.length;
        setContent(message);
    }

    /** A builder for a submission: at least one recipient is needed; everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public FakeEnvelope envelope() {
        return envelope;
    }

    @Override
    public FakeHeaders headers() {
        return headers;
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(body);
    }

    @Override
    public InputStream content() {
        return new ByteArrayInputStream(contentBytes());
    }

    /** The whole message as it is now, as text (UTF-8): for assertions. */
    public String contentAsString() {
        return new String(contentBytes(), StandardCharsets.UTF_8);
    }

    /** The body as it is now, as text (UTF-8): for assertions. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public MimeMessage mimeMessage() throws MessagingException, IOException {
        return new MimeMessage(Session.getInstance(new Properties()), content());
    }

    @Override
    public OutputStream replaceBody() {
        return replacement(false);
    }

    @Override
    public OutputStream replaceMessage() {
        return replacement(true);
    }

    @Override
    public FakeNotes notes() {
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
        String current = recipient == null ? null
                : envelope.recipients().stream().filter(r -> r.equalsIgnoreCase(recipient)).findFirst().orElse(null);
        if (current == null) {
            return false;
        }
        envelope.removeRecipient(current);
        recipientFates.put(current, fate);
        return true;
    }

    @Override
    public Map<String, RecipientFate> recipientFates() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(recipientFates));
    }

    @Override
    public String send(String mailFrom, List<String> recipients, MessageWriter content) throws IOException {
        Objects.requireNonNull(content, "content");
        if (mailFrom == null) {
            throw new IllegalArgumentException("sender is null; use \"\" for the null sender");
        }
        if (!mailFrom.isEmpty()) {
            FakeEnvelope.checkAddress(mailFrom);
        }
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        recipients.forEach(FakeEnvelope::checkAddress);
        if (generation + 1 > maxGenerations) {
            throw new MailLoopException("message " + id + " is sink mail of generation " + generation
                    + "; sending more would pass the limit of " + maxGenerations + " generations");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.writeTo(out);
        String newId = id + "." + (sent.size() + 1);
        sent.add(new SentMail(newId, mailFrom, recipients, withIdAndDate(out.toByteArray(), newId), generation + 1));
        return newId;
    }

    /** The mail sinks sent from this submission, in order. Sending is never undone. */
    public List<SentMail> sent() {
        return List.copyOf(sent);
    }

    /** How many sink mails lead to this message: 0 for mail from outside. */
    public int generation() {
        return generation;
    }

    /** The longest chain of sink mail {@link #send} allows ({@value #DEFAULT_MAX_GENERATIONS} unless changed). */
    public int maxGenerations() {
        return maxGenerations;
    }

    /** Sets the longest chain of sink mail {@link #send} allows, (the server allows 5). */
    public void setMaxGenerations(int maxGenerations) {
        this.maxGenerations = maxGenerations;
    }

    @Override
    public String toString() {
        return "FakeSubmission " + id + " " + envelope + " fate " + fate.kind();
    }

    private byte[] contentBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(headers.toBytes());
        out.writeBytes(separator);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private void setContent(byte[] message) {
        MessageParts parts = MessageParts.parse(message);
        headers = new FakeHeaders(parts.fields(), parts.newline());
        separator = parts.separator();
        body = parts.body();
    }

    private static byte[] withIdAndDate(byte[] message, String id) {
        MessageParts parts = MessageParts.parse(message);
        FakeHeaders h = new FakeHeaders(parts.fields(), parts.newline());
        if (h.first("Message-ID").isEmpty()) {
            h.add("Message-ID", "<" + id + "@mailroot.test>");
        }
        if (h.first("Date").isEmpty()) {
            h.add("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toBytes());
        out.writeBytes(parts.separator().length == 0 ? h.newline().getBytes(StandardCharsets.US_ASCII) : parts.separator());
        out.writeBytes(parts.body());
        return out.toByteArray();
    }

    private OutputStream replacement(boolean whole) {
        Replacement r = new Replacement(whole);
        open.add(r);
        return r;
    }

    /** A stream that replaces the body or the message when it is closed, unless the call ended first. */
    private final class Replacement extends ByteArrayOutputStream {
        private final boolean whole;
        private boolean done;

        Replacement(boolean whole) {
            this.whole = whole;
        }

        @Override
        public synchronized void write(int b) {
            check();
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check();
            super.write(b, off, len);
        }

        private void check() {
            if (done) {
                throw new IllegalStateException("this replacement stream is closed, or its sink call is over");
            }
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            open.remove(this);
            if (whole) {
                setContent(toByteArray());
            } else {
                body = toByteArray();
                if (separator.length == 0) {
                    separator = headers.newline().getBytes(StandardCharsets.US_ASCII);
                }
            }
        }

        void discard() {
            done = true;
        }
    }

    // --- the runner's undo, as the server's checkpoint

    /** Everything a call may change, to go back to if it fails. */
    record Checkpoint(FakeEnvelope.Snapshot envelope, FakeHeaders headers, List<FakeHeaders.Field> fields,
                      byte[] separator, byte[] body, Map<String, Object> notes, Fate fate,
                      Map<String, RecipientFate> recipientFates) {
    }

    Checkpoint checkpoint() {
        return new Checkpoint(envelope.snapshot(), headers, headers.fields(), separator, body, notes.snapshot(), fate,
                new LinkedHashMap<>(recipientFates));
    }

    void restore(Checkpoint c) {
        envelope.restore(c.envelope());
        headers = c.headers();
        headers.restore(c.fields());
        separator = c.separator();
        body = c.body();
        notes.restore(c.notes());
        fate = c.fate();
        recipientFates.clear();
        recipientFates.putAll(c.recipientFates());
    }

    /** A sink call ended: replacement streams it left open are discarded. */
    void endCall() {
        open.forEach(Replacement::discard);
        open.clear();
    }

    /**
     * Builds a {@link FakeSubmission}. Defaults: id {@code test-1}, source {@link Source#SMTP} with
     * HELO {@code client.example.org} and client {@code 192.0.2.1}, the null sender, arrival
     * 2026-01-01T00:00:00Z, no header, empty body. Headers and body are joined with CRLF; or give
     * the whole message with {@link #message(String)}.
     */
    public static final class Builder {
        private String id = "test-1";
        private Source source = Source.SMTP;
        private String mailFrom = "";
        private final List<String> recipients = new ArrayList<>();
        private String helo;
        private String clientAddress;
        private String pickupFileName;
        private Instant arrivalTime = Instant.parse("2026-01-01T00:00:00Z");
        private final StringBuilder headerLines = new StringBuilder();
        private String bodyText = "";
        private byte[] message;
        private int generation;
        private final List<Runnable> notes = new ArrayList<>();
        private FakeSubmission built;

        private Builder() {
        }

        /** The message id. */
        public Builder id(String value) {
            id = Objects.requireNonNull(value);
            return this;
        }

        /** How the message arrived; {@link Source#SMTP} by default. */
        public Builder source(Source value) {
            source = Objects.requireNonNull(value);
            return this;
        }

        /** The envelope sender; {@code ""} (the null sender) by default. */
        public Builder from(String address) {
            mailFrom = address;
            return this;
        }

        /** Adds envelope recipients. */
        public Builder to(String... addresses) {
            return to(List.of(addresses));
        }

        /** Adds envelope recipients. */
        public Builder to(List<String> addresses) {
            recipients.addAll(addresses);
            return this;
        }

        /** The HELO/EHLO name (SMTP mail); {@code client.example.org} for SMTP mail by default. */
        public Builder helo(String value) {
            helo = value;
            return this;
        }

        /** The client's IP address (SMTP mail); {@code 192.0.2.1} for SMTP mail by default. */
        public Builder clientAddress(String value) {
            clientAddress = value;
            return this;
        }

        /** Makes it pickup mail, taken from a file of this name. */
        public Builder pickupFile(String name) {
            source = Source.PICKUP;
            pickupFileName = name;
            return this;
        }

        /** When the message was accepted. */
        public Builder arrivalTime(Instant value) {
            arrivalTime = Objects.requireNonNull(value);
            return this;
        }

        /** Adds a header field {@code name: value} (CRLF-terminated). */
        public Builder header(String name, String value) {
            FakeHeaders.checkName(name);
            FakeHeaders.checkValue(value);
            headerLines.append(name).append(": ").append(value).append("\r\n");
            return this;
        }

        /** The body, after the empty line; write CRLF line ends, as SMTP mail has. */
        public Builder body(String text) {
            bodyText = Objects.requireNonNull(text);
            return this;
        }

        /** The whole message (header section, empty line, body) as it arrived; replaces {@link #header} and {@link #body}. */
        public Builder message(String text) {
            return message(text.getBytes(StandardCharsets.UTF_8));
        }

        /** The whole message as bytes; replaces {@link #header} and {@link #body}. */
        public Builder message(byte[] bytes) {
            message = bytes.clone();
            return this;
        }

        /** Sets a note, as an earlier sink would have. */
        public <T> Builder note(Note<T> note, T value) {
            notes.add(() -> built.notes().put(note, value));
            return this;
        }

        /** How many sink mails lead to this one (0, mail from outside, by default). */
        public Builder generation(int value) {
            generation = value;
            return this;
        }

        /**
         * The submission.
         *
         * @throws IllegalStateException    if there is no recipient
         * @throws IllegalArgumentException if an address is refused as the server refuses it
         */
        public FakeSubmission build() {
            if (recipients.isEmpty()) {
                throw new IllegalStateException("a submission needs at least one recipient: to(...)");
            }
            if (source == Source.SMTP) {
                helo = helo == null ? "client.example.org" : helo;
                clientAddress = clientAddress == null ? "192.0.2.1" : clientAddress;
            }
            if (source == Source.PICKUP && pickupFileName == null) {
                pickupFileName = "message.eml";
            }
            byte[] bytes = message != null ? message
                    : (headerLines + "\r\n" + bodyText).getBytes(StandardCharsets.UTF_8);
            built = new FakeSubmission(this, bytes);
            notes.forEach(Runnable::run);
            FakeSubmission result = built;
            built = null;
            return result;
        }
    }
}
