package dev.mailroot.server.admission;

import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.address.RecipientVerdict;
import dev.mailroot.server.dispatch.SinkMail;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.spool.HeaderOverride;
import dev.mailroot.server.spool.MessageBuffer;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Progress;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.server.spool.TraceEntry;
import dev.mailroot.sink.MailLoopException;
import dev.mailroot.sink.MessageWriter;
import dev.mailroot.sink.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one way into the spool, as Postfix's {@code cleanup(8)} is for {@code smtpd} and
 * {@code pickup}: SMTP intake, the pickup directory and mail sent by sinks all hand their message
 * here. It issues the id, checks and canonicalises recipients, writes the {@code Received:} field,
 * adds a missing {@code Message-ID:} and {@code Date:} to mail made here (pickup, sinks; SMTP mail
 * is kept as the client sent it), makes the message durable with its first trace entry, and hands
 * it to the queue. Thread-safe.
 */
public final class Admission implements SinkMail {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);
    /** Mail sent by sinks in reply to mail sent by sinks, at most this deep (a sink mailing itself). */
    public static final int MAX_GENERATIONS = 5;

    private final LocalRecipients recipients;
    private final Spool spool;
    private final MessageIds ids;
    private final Clock clock;
    private final String hostname;
    private volatile Consumer<SpoolEntry> next;

    /** A message made durable: its spool entry and its {@code Message-ID} (null if it has none). */
    public record Admitted(SpoolEntry entry, String messageId) {
    }

    /**
     * @param next receives each message once it is durable (the queue); may be set later with {@link #handOff}
     */
    public Admission(LocalRecipients recipients, Spool spool, MessageIds ids, Clock clock, String hostname,
                     Consumer<SpoolEntry> next) {
        this.recipients = recipients;
        this.spool = spool;
        this.ids = ids;
        this.clock = clock;
        this.hostname = hostname;
        this.next = next;
    }

    /** Where admitted messages go, for wiring where the queue is made after admission. Called once, at start. */
    public void handOff(Consumer<SpoolEntry> queue) {
        this.next = queue;
    }

    /** A new message id. */
    public String newId() {
        return ids.next();
    }

    public Clock clock() {
        return clock;
    }

    public String hostname() {
        return hostname;
    }

    /** Whether {@code address} is a local recipient, and as what. */
    public RecipientVerdict check(String address) {
        return recipients.check(address);
    }

    /** {@link LocalRecipients#checkLocalPart}: for connector mail, whose recipients the directory judges at delivery. */
    public RecipientVerdict checkLocalPart(String address) {
        return recipients.checkLocalPart(address);
    }

    /** Whether the mailbox a local recipient names is at its quota now (SMTP answers {@code 452 4.2.2}). */
    public boolean full(RecipientVerdict verdict) {
        return recipients.full(verdict);
    }

    /** Whether a local recipient is a known mailbox (see {@link LocalRecipients#isKnown}). */
    public boolean known(RecipientVerdict verdict) {
        return recipients.isKnown(verdict);
    }

    /** The address a local recipient is spooled under: as given, or the canonical form of a bare mailbox name. */
    public static String canonical(String address, RecipientVerdict verdict) {
        return address.indexOf('@') < 0 ? verdict.address() : address;
    }

    /** A buffer for message {@code id}'s content. */
    public MessageBuffer buffer(String id) {
        return spool.newBuffer(id);
    }

    /**
     * Makes the message in {@code buffer} durable. When this returns the caller may acknowledge it
     * ({@code 250}, removing the pickup file); it then logs the acceptance and hands the message to
     * the queue with {@link #queue}, so that the line with the Message-ID comes before any line of
     * the message's processing.
     *
     * @param generation 0 for mail from outside; see {@link Progress#generation()}
     * @param extra      more fields for the {@code received} trace entry (name, value, ...)
     * @throws IOException if it could not be made durable; nothing of it is kept
     */
    public Admitted admit(String id, SpoolEnvelope envelope, MessageBuffer buffer, int generation, String... extra)
            throws IOException {
        return admit(id, envelope, buffer, generation, Extras.NONE, extra);
    }

    /**
     * What the protocol events of an SMTP session add to a message: header fields to put at the top
     * (OnEndOfData sinks) and the session's notes (kept with the message for the OnSubmission sinks).
     *
     * @param headers {name, value} pairs, in order
     * @param notes   notes by name
     * @param trace   what the protocol events decided, after the {@code received} entry
     * @param removed names of header fields to remove first (OnEndOfData sinks)
     */
    public record Extras(List<String[]> headers, java.util.Map<String, Object> notes, List<TraceEntry> trace,
                         List<String> removed) {
        public static final Extras NONE = new Extras(List.of(), java.util.Map.of(), List.of(), List.of());
    }

    /** As {@link #admit(String, SpoolEnvelope, MessageBuffer, int, String...)}, with the protocol events' additions. */
    public Admitted admit(String id, SpoolEnvelope envelope, MessageBuffer buffer, int generation, Extras extras,
                          String... extra) throws IOException {
        HeaderSection section = null;
        try {
            section = HeaderSection.parse(buffer.content());
        } catch (IOException | RuntimeException e) {
            // not a header section we can read: it is spooled as it is, and the sinks see it so
        }
        String messageId = section == null ? null : section.first("Message-ID").map(String::strip).orElse(null);
        HeaderOverride override = null;
        boolean edited = false;
        if (section != null) {
            for (String name : extras.removed()) {
                edited |= section.remove(name) > 0;
            }
        }
        if (section != null && !extras.headers().isEmpty()) {
            edited = true;
            for (int i = extras.headers().size() - 1; i >= 0; i--) {
                section.prepend(extras.headers().get(i)[0], extras.headers().get(i)[1]);
            }
        }
        if (section != null && (edited || envelope.source() != Source.SMTP
                && (messageId == null || section.first("Date").isEmpty()))) {
            if (messageId == null && envelope.source() != Source.SMTP) {
                messageId = "<" + id + "@" + hostname + ">";
                section.add("Message-ID", messageId);
            }
            if (section.first("Date").isEmpty() && envelope.source() != Source.SMTP) {
                section.add("Date", RFC5322.format(envelope.arrivalTime().atZone(ZoneId.systemDefault())));
            }
            override = new HeaderOverride(section.toBytes(), section.end());
        }
        List<String> fields = new ArrayList<>(List.of("source", envelope.source().wireName(), "from", envelope.mailFrom(),
                "to", String.join(",", envelope.recipients()), "size", Long.toString(buffer.size())));
        if (messageId != null) {
            fields.addAll(List.of("messageId", messageId));
        }
        String subject = section == null ? null : section.first("Subject").orElse(null);
        if (subject != null) {
            // bin/mailroot trace --subject finds it in the spool and the tracking log
            String decoded = dev.mailroot.server.tracking.MessageSearch.decode(subject);
            fields.addAll(List.of("subject", decoded.length() > 200 ? decoded.substring(0, 200) : decoded));
        }
        if (envelope.authUser() != null) {
            fields.addAll(List.of("authUser", envelope.authUser()));
        }
        fields.addAll(java.util.Arrays.asList(extra)); // null values are left out of the entry
        TraceEntry received = TraceEntry.of(envelope.arrivalTime(), "received", fields.toArray(String[]::new));
        Progress progress = Progress.arrived(received, generation);
        if (!extras.notes().isEmpty() || !extras.trace().isEmpty()) {
            progress = new Progress(List.of(), extras.notes(), List.of(), null, progress.trace(), generation).traced(extras.trace());
        }
        SpoolEntry entry = spool.submit(id, envelope, override, progress, buffer);
        return new Admitted(entry, messageId);
    }

    /** Hands an admitted message to the queue. */
    public void queue(SpoolEntry entry) {
        next.accept(entry);
    }

    /**
     * The {@code Received:} field for a message made here ({@code with} says how: {@code pickup},
     * {@code sink}), with the message's line end ({@code newline}).
     */
    public byte[] receivedLocally(String with, String id, String what, String newline) {
        String text = "Received: by " + hostname + " (Mailroot " + with + (what == null ? "" : " " + clean(what))
                + ")" + newline + "\tid " + id + "; " + RFC5322.format(clock.instant().atZone(ZoneId.systemDefault())) + newline;
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String clean(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && out.length() < 200; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '(' || c == ')' || c == ';' ? '_' : c);
        }
        return out.toString();
    }

    /**
     * A copy the delivery stage sends on (a Sieve redirect, a vacation reply) to the local address
     * {@code rcpt}: {@code head} (e.g. the redirecting mailbox's {@code Delivered-To:}, so a loop is
     * caught) then {@code content}, behind a {@code Received: by <host> (Mailroot sieve ...)} field;
     * admitted with source {@code sink}.
     *
     * @return the new message's id
     * @throws IllegalArgumentException if {@code rcpt} is not an address
     */
    public String resubmit(String mailFrom, String rcpt, byte[] head, dev.mailroot.server.message.MessageContent content,
                           String why) throws IOException {
        RecipientVerdict v = recipients.check(rcpt);
        if (!v.isLocal() && v.kind() != RecipientVerdict.Kind.NOT_LOCAL) {
            throw new IllegalArgumentException("not sent: <" + ControlCharacters.escape(rcpt) + "> " + v.kind().reason());
        }
        String id = newId();
        MessageBuffer buffer = buffer(id);
        try {
            buffer.write(receivedLocally("sieve", id, why, HeaderSection.newlineOf(content)));
            buffer.write(head);
            try (java.io.InputStream in = content.open()) {
                in.transferTo(buffer);
            }
        } catch (IOException | RuntimeException e) {
            buffer.discard();
            throw e;
        }
        SpoolEnvelope env = new SpoolEnvelope(mailFrom, List.of(v.isLocal() ? canonical(rcpt, v) : rcpt), null, null,
                clock.instant(), Source.SINK, null);
        Admitted a = admit(id, env, buffer, 1, "reason", why);
        queue(a.entry());
        return id;
    }

    /**
     * A delivery status notification about {@code parent} ({@code message}: the whole report, CRLF)
     * to {@code to}, the parent's sender: admitted with the null sender and source {@code sink},
     * one generation after the parent. Returns the new message's id.
     */
    public String bounce(SpoolEntry parent, String to, byte[] message, String why) throws IOException {
        RecipientVerdict v = recipients.check(to);
        String rcpt = v.isLocal() ? canonical(to, v) : to;
        String id = newId();
        MessageBuffer buffer = buffer(id);
        try {
            buffer.write(receivedLocally("dsn", id, why, "\r\n"));
            buffer.write(message);
        } catch (IOException | RuntimeException e) {
            buffer.discard();
            throw e;
        }
        SpoolEnvelope env = new SpoolEnvelope("", List.of(rcpt), null, null, clock.instant(), Source.SINK, null);
        Admitted a = admit(id, env, buffer, parent.progress().generation() + 1, "parent", parent.id(), "reason", why);
        queue(a.entry());
        return id;
    }

    /**
     * Mail a sink sends while handling {@code parent}: refused if it would continue a loop of sink
     * mail ({@value #MAX_GENERATIONS} generations) or if a recipient is not local (Mailroot does not
     * relay); otherwise admitted as pickup mail is, with source {@code sink}.
     */
    @Override
    public String send(SpoolEntry parent, String binding, String mailFrom, List<String> to, MessageWriter content)
            throws IOException {
        int generation = parent.progress().generation() + 1;
        if (generation > MAX_GENERATIONS) {
            log.warn("MR2010 binding {} tried to send mail while handling mail that sinks sent {} generations deep; "
                    + "refused as a mail loop", binding, generation - 1);
            throw new MailLoopException("refused: message " + parent.id() + " is itself mail sent by sinks "
                    + (generation - 1) + " generations deep (at most " + MAX_GENERATIONS + "); a sink is mailing itself in a loop");
        }
        List<String> rcpts = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String r : to) {
            RecipientVerdict v = recipients.check(r);
            if (v.isLocal()) {
                rcpts.add(canonical(r, v));
            } else if (v.kind() == RecipientVerdict.Kind.NOT_LOCAL) {
                rcpts.add(r); // remote: the outbound queue sends it
            } else {
                refused.add("<" + ControlCharacters.escape(r) + "> " + v.kind().reason());
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("not sent: " + String.join("; ", refused));
        }
        String id = newId();
        MessageBuffer buffer = buffer(id);
        try {
            buffer.write(receivedLocally("sink", id, "binding " + binding + " for " + parent.id(), "\r\n"));
            content.writeTo(new java.io.FilterOutputStream(buffer) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the server finishes the message
                }
            });
        } catch (IOException | RuntimeException e) {
            buffer.discard();
            throw e;
        }
        Instant now = clock.instant();
        SpoolEnvelope env = new SpoolEnvelope(mailFrom, rcpts, null, null, now, Source.SINK, null);
        Admitted a = admit(id, env, buffer, generation, "parent", parent.id(), "binding", binding);
        log.info("MR2012 binding {} sent message id={} message-id={} from=<{}> rcpt={} while handling id={}", binding, id,
                Optional.ofNullable(a.messageId()).orElse("-"), mailFrom, rcpts, parent.id());
        queue(a.entry());
        return id;
    }
}
