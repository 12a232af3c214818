package dev.mailroot.server.smtp;

import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.address.RecipientVerdict;
import dev.mailroot.server.spool.MessageBuffer;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.sink.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One SMTP mail transaction (SubEthaSMTP makes one per MAIL command): checks each recipient, counts
 * the message size while it streams in, and answers {@code 250} only once the message is durable in
 * the spool. Every refusal carries an enhanced status code.
 */
final class IntakeHandler implements MessageHandler {
    private static final Logger log = LoggerFactory.getLogger(IntakeHandler.class);

    private final MessageContext context;
    private final SmtpIntake intake;
    private String from;
    private final List<String> recipients = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    IntakeHandler(MessageContext context, SmtpIntake intake) {
        this.context = context;
        this.intake = intake;
    }

    @Override
    public void from(String address) {
        this.from = address;
    }

    @Override
    public void recipient(String address) throws RejectException {
        LocalRecipients local = intake.recipients();
        if (recipients.size() >= intake.maxRecipients()) {
            log.warn("MR1006 refused <{}> from {}: more than {} recipients", address, client(), intake.maxRecipients());
            throw new RejectException(452, "4.5.3 Error: too many recipients");
        }
        RecipientVerdict v = local.check(address);
        if (!v.isLocal()) {
            log.warn("{} refused <{}> from {}: {}", eventOf(v.kind()), address, client(), v.kind().reason());
            throw new RejectException(v.kind().code(), v.kind().replyText(address));
        }
        String rcpt = address.indexOf('@') < 0 ? v.address() : address;
        if (seen.add(rcpt.toLowerCase(Locale.ROOT))) {
            recipients.add(rcpt);
        }
    }

    private static String eventOf(RecipientVerdict.Kind kind) {
        return switch (kind) {
            case NOT_LOCAL -> "MR1002";
            case BAD_MAILBOX_NAME -> "MR1003";
            default -> "MR1004";
        };
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
        if (!intake.beginTransaction()) {
            throw new DropConnectionException(421, "4.3.2 Service shutting down, try again later");
        }
        String id = intake.ids().next();
        MDC.put("msgId", id);
        MessageBuffer buffer = intake.spool().newBuffer(id);
        boolean spooled = false;
        try {
            Instant now = intake.clock().instant();
            buffer.write(ReceivedHeader.format(context.getHelo().orElse(null), client(), intake.hostname(), id,
                    recipients.size() == 1 ? recipients.get(0) : null, now.atZone(ZoneId.systemDefault())));
            long size = receive(data, buffer);
            if (size < 0) {
                log.warn("MR1005 refused from {}: larger than {} bytes", client(), intake.maxMessageSize());
                endTransaction();
                throw new RejectException(552, "5.3.4 Error: message file too big");
            }
            SpoolEnvelope envelope = new SpoolEnvelope(from == null ? "" : from, recipients,
                    context.getHelo().orElse(null), client(), now, Source.SMTP, null);
            SpoolEntry entry;
            try {
                entry = intake.spool().submit(id, envelope, buffer);
            } catch (IOException e) {
                log.error("MR1007 could not be spooled: {}", e.toString());
                endTransaction();
                throw new RejectException(451, "4.3.0 Error: queue file write error, try again later");
            }
            spooled = true;
            log.info("MR1001 accepted from {} helo={} mail from=<{}> rcpt={} size={}", client(),
                    context.getHelo().orElse("-"), envelope.mailFrom(), recipients, size);
            intake.spooled(entry);
            return "2.0.0 Ok: queued as " + id;
        } finally {
            if (!spooled) {
                buffer.discard();
            }
            intake.endTransactionCount();
            MDC.remove("msgId");
        }
    }

    /**
     * Copies the message into the buffer, as {@link #copy} does, unless the client closes the
     * connection inside it: DATA's end marker cannot come from a closed connection, but a BDAT
     * chunk simply ends early, and what arrived is only part of the message (whose client never
     * sees a 250, and sends it again).
     *
     * @return the number of bytes, or -1 if the message was larger than the limit
     * @throws DropConnectionException with {@code 421 4.4.2} if the connection closed inside the message
     */
    private long receive(InputStream data, MessageBuffer buffer) throws IOException, DropConnectionException {
        long size;
        try {
            size = copy(data, buffer, intake.maxMessageSize());
        } catch (NullPointerException e) {
            if (!clientClosed()) {
                throw e;
            }
            size = 0; // SubEthaSMTP's BDAT stream (7.2.2) fails so when the connection ends between two chunks
        }
        if (clientClosed()) {
            log.warn("MR1009 refused from {}: the connection closed inside the message", client());
            endTransaction();
            throw new DropConnectionException(421, "4.4.2 Connection closed inside the message");
        }
        return size;
    }

    /**
     * Copies the DATA stream into the buffer. Past {@code max} bytes the rest is read and thrown
     * away so the client gets its reply; a client that goes on sending twice the limit is cut off.
     *
     * @return the number of bytes, or -1 if the message was larger than {@code max}
     */
    private static long copy(InputStream in, MessageBuffer out, long max) throws IOException, DropConnectionException {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > 2 * max) {
                        throw new DropConnectionException(552, "5.3.4 Error: message file too big");
                    }
                }
                return -1;
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    /**
     * Ends the transaction after a refused DATA, as RFC 5321 requires; SubEthaSMTP would otherwise
     * keep it open and answer the next MAIL with 503.
     */
    private void endTransaction() {
        if (context instanceof Session session) {
            session.resetMailTransaction();
        }
    }

    private boolean clientClosed() {
        return context instanceof Session session && LineDeadlineSockets.inputEnded(session.getSocket());
    }

    private String client() {
        SocketAddress a = context.getRemoteAddress();
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public void done() {
        // nothing held between transactions: data() discards what it did not spool
    }
}
