package dev.mailroot.server.delivery;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.address.RecipientVerdict;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers a message to its local recipients: one copy per mailbox, each with {@code Return-Path:}
 * and {@code Delivered-To:} added on top. Recipients that are not local mailboxes (possible after a
 * sink rewrote the envelope, or from pickup files) are reported as permanent failures; I/O errors
 * as temporary ones. Thread-safe.
 */
public final class LocalDelivery {
    private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);

    private final LocalRecipients recipients;
    private final String hostname;
    private final Clock clock;
    private final Map<String, Maildir> maildirs = new ConcurrentHashMap<>();

    public LocalDelivery(LocalRecipients recipients, String hostname, Clock clock) {
        this.recipients = recipients;
        this.hostname = hostname;
        this.clock = clock;
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
        Set<String> mailboxesDone = new HashSet<>();
        for (String rcpt : envelope.recipients()) {
            RecipientVerdict v = recipients.check(rcpt);
            if (!v.isLocal()) {
                String reason = v.kind() == RecipientVerdict.Kind.NOT_LOCAL
                        ? "not a local domain, and Mailroot does not relay (" + v.kind().replyText(rcpt) + ")"
                        : v.kind().replyText(rcpt);
                log.warn("MR3004 recipient <{}> cannot be delivered: {}", rcpt, reason);
                permanent.add(new DeliveryReport.Failure(rcpt, reason));
                continue;
            }
            if (!mailboxesDone.add(v.mailbox())) {
                delivered.add(rcpt); // another address of the same mailbox already got the copy
                continue;
            }
            try {
                Maildir maildir = maildir(v.mailbox());
                byte[] trace = traceFields(envelope.mailFrom(), v.address(), newline);
                Path file;
                try {
                    file = maildir.deliver(trace, content);
                } catch (NoSuchFileException e) {
                    if (!maildir.restoreFolders()) {
                        throw e;
                    }
                    log.warn("MR3005 mailbox {} had lost its folders (removed while the server ran: {}); created again",
                            v.mailbox(), e.getFile());
                    file = maildir.deliver(trace, content);
                }
                log.info("MR3001 delivered to <{}> mailbox={} file={}", rcpt, v.mailbox(), file.getFileName());
                delivered.add(rcpt);
            } catch (IOException | RuntimeException e) {
                log.warn("MR3002 delivery to <{}> failed for now: {}", rcpt, e.toString());
                temporary.add(new DeliveryReport.Failure(rcpt, "cannot write to mailbox " + v.mailbox() + ": " + e));
                mailboxesDone.remove(v.mailbox());
            }
        }
        return new DeliveryReport(delivered, permanent, temporary);
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
