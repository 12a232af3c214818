package dev.mailroot.server.delivery;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.address.RecipientVerdict;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.Expansion;
import dev.mailroot.server.directory.Mailbox;
import dev.mailroot.server.directory.MaildirQuota;
import dev.mailroot.server.directory.Quota;
import dev.mailroot.server.message.HeaderSection;
import dev.mailroot.server.message.MessageContent;
import dev.mailroot.server.spool.SpoolEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delivery stage: each local recipient resolved through the mailbox directory (alias → group →
 * forwarding → rules → store, docs/mailboxes.md), then one copy per mailbox, each with
 * {@code Return-Path:} (any the message carried is removed, so there is one) and
 * {@code Delivered-To:} on top, stored in Maildir with LF line ends (or CRLF with
 * {@code mailboxes.lineEnding: crlf}) and counted in the Maildir++ {@code maildirsize}.
 *
 * <p>Outcomes per recipient: a copy that would pass the mailbox's quota fails for now ("mailbox
 * full": the message waits and is retried until {@code delivery.giveUpAfterHours}) when it is the
 * recipient's only copy, and for good (badmail) when the recipient is a group or a forwarding that
 * also reaches other mailboxes, so they do not get the copy again at every retry; a mailbox whose
 * {@code Delivered-To:} the message already carries is a mail loop (badmail); recipients outside the
 * local domains, and forwarding or group members there, are reported {@link DeliveryReport#remote()}
 * for the outbound queue. Without a
 * directory every local part is a mailbox (created on first delivery or not, as
 * {@code mailboxes.autoCreate} says). I/O errors are temporary. Thread-safe.
 */
public final class LocalDelivery {
    private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);

    /** What may happen to a copy before it is stored: the mailbox's rules (Sieve). */
    public interface Rules {
        /** No rules: every copy goes to the inbox. */
        Rules NONE = (copy, id, envelope, content) -> Decision.INBOX;

        /**
         * Decides where {@code copy} goes.
         *
         * @param id the message id, for log lines
         */
        Decision decide(Expansion.Copy copy, String id, SpoolEnvelope envelope, MessageContent content);

        /**
         * Where the copy goes: the inbox, Maildir++ folders (one copy each), nowhere (discarded by a
         * rule, recorded), and what the rules said, for the trace.
         *
         * @param folders folders ({@code .Work}); null in the list means the inbox
         * @param note    for the trace, or null
         */
        record Decision(List<String> folders, String note) {
            public static final Decision INBOX = new Decision(java.util.Collections.singletonList(null), null);

            public Decision {
                folders = java.util.Collections.unmodifiableList(new ArrayList<>(folders));
            }
        }
    }

    private final LocalRecipients recipients;
    private final String hostname;
    private final Clock clock;
    private final boolean crlf;
    private final Map<String, Maildir> maildirs = new ConcurrentHashMap<>();
    private final QuotaWarnings warnings;
    private volatile Rules rules = Rules.NONE;
    /** When set, copies go to this LMTP server instead of Maildir. */
    private volatile Lmtp lmtp;

    /** An LMTP store: the server, the client, and the domain its users' addresses are written in. */
    private record Lmtp(java.net.SocketAddress address, LmtpClient client, String domain) {
    }

    /**
     * Stores mailboxes through the LMTP server at {@code address} (Dovecot's {@code lmtp}) instead
     * of Maildir: one LMTP transaction per message with one {@code RCPT} per mailbox
     * ({@code <mailbox>@<domain>}), each reply that mailbox's outcome. The LMTP server adds its own
     * {@code Return-Path:}/{@code Delivered-To:} and enforces its own quota and rules.
     */
    public void lmtp(java.net.SocketAddress address, java.time.Duration timeout, String domain) {
        this.lmtp = new Lmtp(address, new LmtpClient(hostname, java.time.Duration.ofSeconds(10), timeout), domain);
    }

    public LocalDelivery(LocalRecipients recipients, String hostname, Clock clock) {
        this(recipients, hostname, clock, true);
    }

    /**
     * @param crlf whether messages are stored with CRLF line ends (else LF, the default of
     *             {@code mailboxes.lineEnding})
     */
    public LocalDelivery(LocalRecipients recipients, String hostname, Clock clock, boolean crlf) {
        this.recipients = recipients;
        this.hostname = hostname;
        this.clock = clock;
        this.crlf = crlf;
        this.warnings = new QuotaWarnings(hostname, clock, crlf);
    }

    /** Sets the mailboxes' rules (Sieve); none until set. */
    public void rules(Rules r) {
        this.rules = r;
    }

    /**
     * Delivers {@code content} to each recipient of {@code envelope}. When this returns, every
     * copy reported delivered is durable.
     *
     * @param newline the line end the message uses, for the added fields
     */
    public DeliveryReport deliver(String id, SpoolEnvelope envelope, MessageContent content, String newline) {
        List<String> delivered = new ArrayList<>();
        List<DeliveryReport.Failure> permanent = new ArrayList<>();
        List<DeliveryReport.Failure> temporary = new ArrayList<>();
        List<String> resolution = new ArrayList<>();
        java.util.LinkedHashSet<String> remote = new java.util.LinkedHashSet<>();
        Set<String> mailboxesDone = new HashSet<>();
        Prepared message = prepare(content);
        Optional<Directory> directory = recipients.directory();
        List<Pending> viaLmtp = new ArrayList<>();
        for (String rcpt : envelope.recipients()) {
            RecipientVerdict v = recipients.check(rcpt);
            if (v.kind() == RecipientVerdict.Kind.NOT_LOCAL) {
                remote.add(rcpt);
                continue;
            }
            if (!v.isLocal()) {
                String reason = v.kind() == RecipientVerdict.Kind.NOT_LOCAL
                        ? "not a local domain, and Mailroot does not relay (" + v.kind().replyText(rcpt) + ")"
                        : v.kind().replyText(rcpt);
                log.warn("MR3004 recipient <{}> cannot be delivered: {}", rcpt, reason);
                permanent.add(new DeliveryReport.Failure(rcpt, reason));
                continue;
            }
            Expansion e = directory.isPresent() ? Expansion.of(directory.get(), v.address())
                    : new Expansion(List.of(new Expansion.Copy(Mailbox.named(v.mailbox()), v.address(), "")), List.of(), List.of());
            if (directory.isPresent() && (e.path().size() > 1 || !e.copies().isEmpty() && !e.copies().get(0).via().isEmpty())) {
                resolution.add(String.join("; ", e.path()));
            }
            remote.addAll(e.remote());
            boolean several = e.copies().size() + e.failed().size() + e.remote().size() > 1;
            boolean any = false;
            boolean later = false;
            for (Expansion.Failed f : e.failed()) {
                log.warn("MR3103 recipient <{}>: <{}> gets no copy: {}", rcpt, f.address(), f.reason());
                permanent.add(new DeliveryReport.Failure(f.address().equalsIgnoreCase(rcpt) ? rcpt : f.address() + " (for " + rcpt + ")",
                        f.reason()));
            }
            if (lmtp != null) {
                for (Expansion.Copy c : e.copies()) {
                    if (message.deliveredTo().contains(c.deliveredTo().toLowerCase(Locale.ROOT))) {
                        permanent.add(new DeliveryReport.Failure(label(rcpt, c), "mail loop: the message already carries "
                                + "Delivered-To: " + c.deliveredTo()));
                    } else {
                        viaLmtp.add(new Pending(rcpt, c, several));
                    }
                }
                continue;
            }
            for (Expansion.Copy c : e.copies()) {
                Outcome o = store(id, envelope, message, c, newline, mailboxesDone);
                switch (o.kind) {
                    case DELIVERED -> any = true;
                    case PERMANENT -> permanent.add(new DeliveryReport.Failure(label(rcpt, c), o.reason));
                    case TEMPORARY -> {
                        if (several) {
                            // the other mailboxes of this recipient have their copy: a retry would repeat it
                            permanent.add(new DeliveryReport.Failure(label(rcpt, c), o.reason));
                        } else {
                            later = true;
                            temporary.add(new DeliveryReport.Failure(rcpt, o.reason));
                        }
                    }
                }
            }
            if (any) {
                delivered.add(rcpt);
            } else if (!later && e.copies().isEmpty() && e.failed().isEmpty() && e.remote().isEmpty()) {
                permanent.add(new DeliveryReport.Failure(rcpt, "resolves to no mailbox"));
            }
        }
        if (!viaLmtp.isEmpty()) {
            deliverByLmtp(id, envelope, message, viaLmtp, delivered, permanent, temporary);
        }
        return new DeliveryReport(delivered, permanent, temporary, resolution, List.copyOf(remote));
    }

    /** A copy waiting for the LMTP transaction: its envelope recipient, and whether that has other copies. */
    private record Pending(String rcpt, Expansion.Copy copy, boolean several) {
    }

    private void deliverByLmtp(String id, SpoolEnvelope envelope, Prepared message, List<Pending> pending,
                               List<String> delivered, List<DeliveryReport.Failure> permanent,
                               List<DeliveryReport.Failure> temporary) {
        Lmtp l = lmtp;
        java.util.LinkedHashMap<String, String> users = new java.util.LinkedHashMap<>();
        for (Pending p : pending) {
            users.putIfAbsent(p.copy().mailbox().name(), p.copy().mailbox().name() + "@" + l.domain());
        }
        List<LmtpOutcome> outcomes = l.client().deliver(l.address(), envelope.mailFrom(), List.copyOf(users.values()),
                message.content());
        java.util.Map<String, LmtpOutcome> byUser = new java.util.HashMap<>();
        for (LmtpOutcome o : outcomes) {
            byUser.put(o.recipient(), o);
        }
        java.util.Set<String> temporarilyFailed = new HashSet<>();
        for (Pending p : pending) {
            LmtpOutcome o = byUser.get(users.get(p.copy().mailbox().name()));
            String who = label(p.rcpt(), p.copy());
            switch (o.kind()) {
                case DELIVERED -> {
                    log.info("MR3001 delivered to <{}> mailbox={} by LMTP: {}", p.copy().deliveredTo(), p.copy().mailbox().name(),
                            o.describe());
                    if (!delivered.contains(p.rcpt())) {
                        delivered.add(p.rcpt());
                    }
                }
                case PERMANENT -> {
                    log.warn("MR3110 LMTP refused mailbox {} for message id={}: {}", p.copy().mailbox().name(), id, o.describe());
                    permanent.add(new DeliveryReport.Failure(who, "LMTP: " + o.describe()));
                }
                case TEMPORARY -> {
                    log.warn("MR3110 LMTP failed for now for mailbox {}, message id={}: {}", p.copy().mailbox().name(), id,
                            o.describe());
                    if (p.several()) {
                        permanent.add(new DeliveryReport.Failure(who, "LMTP: " + o.describe()));
                    } else if (temporarilyFailed.add(p.rcpt())) {
                        temporary.add(new DeliveryReport.Failure(p.rcpt(), "LMTP: " + o.describe()));
                    }
                }
            }
        }
    }

    private static String label(String rcpt, Expansion.Copy c) {
        return c.deliveredTo().equalsIgnoreCase(rcpt) ? rcpt : c.deliveredTo() + " (for " + rcpt + ")";
    }

    private enum Kind { DELIVERED, PERMANENT, TEMPORARY }

    private record Outcome(Kind kind, String reason) {
        static final Outcome OK = new Outcome(Kind.DELIVERED, null);
    }

    /** The message as it is stored: without the Return-Path fields it came with, and the Delivered-To it carries. */
    private record Prepared(MessageContent content, Set<String> deliveredTo) {
    }

    private static Prepared prepare(MessageContent content) {
        try {
            HeaderSection section = HeaderSection.parse(content);
            Set<String> seen = new HashSet<>();
            for (String d : section.all("Delivered-To")) {
                seen.add(d.strip().toLowerCase(Locale.ROOT));
            }
            // one Return-Path, ours: a message that arrives with one (the POP3 connector's downloads) loses it
            MessageContent stored = section.remove("Return-Path") > 0 ? section.applyTo(content) : content;
            return new Prepared(stored, seen);
        } catch (IOException | RuntimeException e) {
            return new Prepared(content, Set.of()); // not a header section we can read: stored as it is
        }
    }

    private Outcome store(String id, SpoolEnvelope envelope, Prepared message, Expansion.Copy c, String newline,
                          Set<String> mailboxesDone) {
        Mailbox m = c.mailbox();
        if (!mailboxesDone.add(m.name())) {
            return Outcome.OK; // another address of the same mailbox already got the copy
        }
        if (message.deliveredTo().contains(c.deliveredTo().toLowerCase(Locale.ROOT))) {
            log.warn("MR3104 mail loop: message id={} already carries Delivered-To: {}; not delivered to mailbox {} again", id,
                    c.deliveredTo(), m.name());
            return new Outcome(Kind.PERMANENT, "mail loop: the message already carries Delivered-To: " + c.deliveredTo());
        }
        Path root = recipients.maildirOf(m.name());
        Quota quota = m.quota();
        long size = message.content().size();
        try {
            MaildirQuota.Usage before = quota.limited() ? MaildirQuota.usage(root, quota) : MaildirQuota.Usage.NONE;
            if (quota.limited() && quota.exceededBy(before.bytes(), before.messages(), size)) {
                log.warn("MR3105 mailbox {} is full ({} of {}, {} of {} messages): message id={} of {} bytes waits", m.name(),
                        before.bytes(), quota.maxBytes() == 0 ? "-" : quota.maxBytes(), before.messages(),
                        quota.maxMessages() == 0 ? "-" : quota.maxMessages(), id, size);
                mailboxesDone.remove(m.name());
                return new Outcome(Kind.TEMPORARY, "mailbox full: " + m.name() + " is at its quota ("
                        + quota.describe() + ")");
            }
            Rules.Decision decision = rules.decide(c, id, envelope, message.content());
            if (decision.folders().isEmpty()) {
                log.info("MR3001 not stored for <{}> mailbox={}: {}", c.deliveredTo(), m.name(), decision.note());
                return Outcome.OK;
            }
            Maildir maildir = maildir(m.name());
            byte[] trace = traceFields(envelope.mailFrom(), c.deliveredTo(), newline);
            for (String folder : decision.folders()) {
                Path file;
                try {
                    file = maildir.deliverToFolder(folder, trace, message.content(), crlf);
                } catch (NoSuchFileException e) {
                    if (!maildir.restoreFolders()) {
                        throw e;
                    }
                    log.warn("MR3005 mailbox {} had lost its folders (removed while the server ran: {}); created again",
                            m.name(), e.getFile());
                    file = maildir.deliverToFolder(folder, trace, message.content(), crlf);
                }
                long stored = java.nio.file.Files.size(file);
                if (quota.limited()) {
                    MaildirQuota.added(root, quota, stored);
                }
                log.info("MR3001 delivered to <{}> mailbox={}{} file={}{}", c.deliveredTo(), m.name(),
                        folder == null ? "" : " folder=" + folder, file.getFileName(),
                        c.via().isEmpty() ? "" : " via " + c.via());
            }
            if (quota.limited()) {
                warnings.check(m, root, quota, maildir);
            }
            return Outcome.OK;
        } catch (IOException | RuntimeException e) {
            log.warn("MR3002 delivery to <{}> failed for now: {}", c.deliveredTo(), e.toString());
            mailboxesDone.remove(m.name());
            return new Outcome(Kind.TEMPORARY, "cannot write to mailbox " + m.name() + ": " + e);
        }
    }

    private Maildir maildir(String mailbox) throws IOException {
        Maildir m = maildirs.get(mailbox);
        if (m == null) {
            m = Maildir.open(recipients.maildirOf(mailbox), hostname, clock);
            maildirs.putIfAbsent(mailbox, m);
        }
        return m;
    }

    private static byte[] traceFields(String mailFrom, String deliveredTo, String newline) {
        return ("Return-Path: <" + mailFrom + ">" + newline + "Delivered-To: " + deliveredTo + newline)
                .getBytes(StandardCharsets.UTF_8);
    }
}
