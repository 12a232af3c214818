package dev.mailroot.server.smtp;

import dev.mailroot.server.admission.Admission;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.address.RecipientVerdict;
import dev.mailroot.server.spool.DiskFull;
import dev.mailroot.server.spool.MessageBuffer;
import dev.mailroot.server.spool.SpoolEnvelope;
import dev.mailroot.bindings.Events;
import dev.mailroot.server.protocol.EndOfDataView;
import dev.mailroot.server.protocol.Quarantine;
import dev.mailroot.server.protocol.ProtocolEvents;
import dev.mailroot.server.protocol.SessionState;
import dev.mailroot.sink.Source;
import dev.mailroot.sink.protocol.MailFromCommand;
import dev.mailroot.sink.protocol.OnEndOfDataSink;
import dev.mailroot.sink.protocol.OnMailFromSink;
import dev.mailroot.sink.protocol.OnRcptToSink;
import dev.mailroot.sink.protocol.RcptToCommand;
import dev.mailroot.sink.protocol.SmtpReply;
import dev.mailroot.sink.protocol.Verdict;
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
import java.net.SocketException;
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
    private final Admission admission;
    private final MailrootConfig.Smtp config;
    private final Access access;
    private final SmtpIntake.Transactions transactions;
    /** The protocol events, or null when the server runs without bindings (in-process sinks). */
    private final ProtocolHooks hooks;
    private final Quarantine quarantine;
    /** The plain socket under the session's socket (the TCP one under TLS), where the input's end is seen. */
    private final java.util.function.UnaryOperator<java.net.Socket> plain;
    private String from;
    /** What the protocol events of this transaction decided, for the message's trace. */
    private final List<dev.mailroot.server.spool.TraceEntry> protocolTrace = new ArrayList<>();
    private final List<String> recipients = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    IntakeHandler(MessageContext context, Admission admission, MailrootConfig.Smtp config, Access access,
                  SmtpIntake.Transactions transactions, ProtocolHooks hooks, Quarantine quarantine,
                  java.util.function.UnaryOperator<java.net.Socket> plain) {
        this.plain = plain;
        this.context = context;
        this.admission = admission;
        this.config = config;
        this.access = access;
        this.transactions = transactions;
        this.hooks = hooks;
        this.quarantine = quarantine;
    }

    /** The session's protocol state, or null when no protocol event is bound. */
    private SessionState state() {
        return hooks != null && context instanceof Session session ? hooks.state(session) : null;
    }

    // each refusal is counted by reply code (mailroot_smtp_rejects_total) where it leaves the handler
    @Override
    public void from(String address) throws RejectException {
        try {
            checkFrom(address);
        } catch (RejectException e) {
            access.meters().rejected(e.getCode());
            throw e;
        }
    }

    @Override
    public void recipient(String address) throws RejectException {
        try {
            checkRecipient(address);
        } catch (RejectException e) {
            access.meters().rejected(e.getCode());
            throw e;
        }
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
        try {
            return receiveMessage(data);
        } catch (RejectException e) {
            access.meters().rejected(e.getCode());
            throw e;
        }
    }

    private void checkFrom(String address) throws RejectException {
        java.util.Optional<Login> login = Access.login(context);
        // the null sender (bounces, read receipts) is not an address anyone owns; Postfix lets it pass too
        if (login.isPresent() && address != null && !address.isEmpty()
                && !access.logins().owns(login.get().mailbox(), address)) {
            log.warn("MR1221 refused MAIL FROM:<{}> from {} authenticated as {}: not an address of mailbox {} "
                    + "(its name, aliases or sendAs)", address, client(), login.get().user(), login.get().mailbox());
            throw new RejectException(553, "5.7.1 <" + address + ">: Sender address not owned by authenticated user "
                    + login.get().user());
        }
        this.from = address;
        SessionState state = state();
        if (state == null) {
            return;
        }
        if (context instanceof Session session) {
            state.tls(session.isTLSStarted());
        }
        login.ifPresent(l -> state.authenticatedUser(l.user()));
        state.mailFrom(address == null ? "" : address);
        if (hooks.events().bound(Events.ON_MAIL_FROM)) {
            MailFromCommand command = new MailFromCommand(address, state.mailParameters());
            ProtocolEvents.Outcome o = run(Events.ON_MAIL_FROM, state, state.ruleInput(List.of()),
                    "<" + (address == null ? "" : address) + "> from " + client(),
                    (sink, ctx) -> ((OnMailFromSink) sink).onMailFrom(state, command, ctx));
            if (o.refused()) {
                state.endTransaction();
                throw refusal(o);
            }
        }
    }

    private ProtocolEvents.Outcome run(String event, SessionState state, dev.mailroot.bindings.RuleInput in, String what,
                                       ProtocolEvents.Invoker invoker) {
        boolean own = MDC.get("session") == null;
        if (own) {
            MDC.put("session", state.sessionId());
        }
        try {
            ProtocolEvents.Outcome o = hooks.events().run(event, in, what, invoker);
            if (!o.steps().isEmpty()) {
                protocolTrace.add(dev.mailroot.server.spool.TraceEntry.of(admission.clock().instant(), "protocol", "event", event,
                        "rcpt", event.equals(Events.ON_RCPT_TO) && !in.recipients().isEmpty() ? in.recipients().get(0) : null,
                        "verdict", ProtocolEvents.describe(o.verdict()), "binding", o.by() == null ? null : o.by().bindingName(),
                        "steps", String.join("; ", o.steps())));
            }
            return o;
        } finally {
            if (own) {
                MDC.remove("session");
            }
        }
    }

    /** The exception that sends a refusing outcome's reply (and, for disconnect, closes the connection). */
    private static RejectException refusal(ProtocolEvents.Outcome o) {
        SmtpReply r = o.verdict().reply();
        String text = r.enhanced() + (r.text().isEmpty() ? "" : " " + r.text());
        if (o.verdict().kind() == Verdict.Kind.DISCONNECT) {
            return new DropConnectionException(r.code(), text);
        }
        return new RejectException(r.code(), text);
    }

    private void checkRecipient(String address) throws RejectException {
        if (recipients.size() >= config.maxRecipients()) {
            log.warn("MR1006 refused <{}> from {}: more than {} recipients", address, client(), config.maxRecipients());
            throw new RejectException(452, "4.5.3 Error: too many recipients");
        }
        RecipientVerdict v = admission.check(address);
        boolean relayed = v.kind() == RecipientVerdict.Kind.NOT_LOCAL && access.mayRelay(context);
        if (!v.isLocal() && !relayed) {
            log.warn("{} refused <{}> from {}: {}{}", eventOf(v.kind()), address, client(), v.kind().reason(),
                    v.kind() == RecipientVerdict.Kind.NOT_LOCAL ? " (the client is not authenticated, nor in relay.trustedNetworks)" : "");
            throw new RejectException(v.kind().code(), v.kind().replyText(address));
        }
        // a remote recipient goes into the envelope like a local one; outbound delivery takes it from the spool
        String rcpt = relayed ? v.address() : Admission.canonical(address, v);
        if (seen.contains(rcpt.toLowerCase(Locale.ROOT))) {
            return;
        }
        if (!relayed && admission.full(v)) {
            log.warn("MR1024 refused <{}> from {}: mailbox {} is full (its quota)", address, client(), v.mailbox());
            throw new RejectException(452, "4.2.2 <" + address + ">: Mailbox full, try again later");
        }
        SessionState state = state();
        if (state != null && hooks.events().bound(Events.ON_RCPT_TO)) {
            RcptToCommand command = new RcptToCommand(rcpt, state.rcptParameters(), !relayed && admission.known(v));
            ProtocolEvents.Outcome o = run(Events.ON_RCPT_TO, state, state.ruleInput(List.of(rcpt)), "<" + rcpt + "> from " + client(),
                    (sink, ctx) -> ((OnRcptToSink) sink).onRcptTo(state, command, ctx));
            if (o.refused()) {
                throw refusal(o);
            }
        }
        seen.add(rcpt.toLowerCase(Locale.ROOT));
        recipients.add(rcpt);
        if (state != null) {
            state.addRecipient(rcpt);
        }
    }

    private static String eventOf(RecipientVerdict.Kind kind) {
        return switch (kind) {
            case NOT_LOCAL -> "MR1002";
            case BAD_MAILBOX_NAME -> "MR1003";
            default -> "MR1004";
        };
    }

    private String receiveMessage(InputStream data) throws RejectException, IOException {
        if (!transactions.begin()) {
            throw new DropConnectionException(421, "4.3.2 Service shutting down, try again later");
        }
        String id = admission.newId();
        MDC.put("msgId", id);
        MessageBuffer buffer = admission.buffer(id);
        boolean spooled = false;
        try {
            Instant now = admission.clock().instant();
            String authUser = Access.login(context).map(Login::user).orElse(null);
            boolean tls = context instanceof Session session && session.isTLSStarted();
            byte[] received = ReceivedHeader.format(context.getHelo().orElse(null), client(), config.hostname(), id,
                    recipients.size() == 1 ? recipients.get(0) : null, now.atZone(ZoneId.systemDefault()), tls, authUser);
            Received message = receive(data, buffer, received, config.maxMessageSize());
            if (message.tooBig()) {
                log.warn("MR1005 refused from {}: larger than {} bytes", client(), config.maxMessageSize());
                endTransaction();
                throw new RejectException(552, "5.3.4 Error: message file too big");
            }
            if (message.notKept() != null) {
                throw refusal(message.notKept(), message.size());
            }
            SpoolEnvelope envelope = new SpoolEnvelope(from == null ? "" : from, recipients,
                    context.getHelo().orElse(null), client(), now, Source.SMTP, null).withAuthUser(authUser);
            Admission.Extras extras = Admission.Extras.NONE;
            SessionState state = state();
            if (state != null) {
                EndOfDataView view = new EndOfDataView(envelope.mailFrom(), recipients, buffer.content());
                if (hooks.events().bound(Events.ON_END_OF_DATA)) {
                    ProtocolEvents.Outcome o = run(Events.ON_END_OF_DATA, state, state.ruleInput(recipients),
                            "message id=" + id + " from " + client(), (sink, ctx) -> ((OnEndOfDataSink) sink).onEndOfData(state, view, ctx));
                    switch (o.verdict().kind()) {
                        case REJECT, DISCONNECT -> {
                            endTransaction();
                            throw refusal(o);
                        }
                        case DISCARD -> {
                            log.info("MR6004 message id={} from {} mail from=<{}> rcpt={} discarded by OnEndOfData binding {}: {}",
                                    id, client(), envelope.mailFrom(), recipients, o.byName(), o.verdict().reason());
                            quarantine.track(id, envelope, "discarded", o, message.size());
                            return "2.0.0 Ok: queued as " + id;
                        }
                        case QUARANTINE -> {
                            java.nio.file.Path kept;
                            try {
                                kept = quarantine.keep(id, envelope, buffer.content(), o);
                            } catch (IOException e) {
                                throw refusal(e, message.size());
                            }
                            log.warn("MR6005 message id={} from {} mail from=<{}> rcpt={} quarantined by OnEndOfData binding {} as {}: {}",
                                    id, client(), envelope.mailFrom(), recipients, o.byName(), kept, o.verdict().reason());
                            quarantine.track(id, envelope, "quarantined", o, message.size());
                            return "2.0.0 Ok: queued as " + id;
                        }
                        default -> { }
                    }
                }
                extras = new Admission.Extras(view.added(), state.noteMap().snapshot(), List.copyOf(protocolTrace), view.removed());
            }
            Admission.Admitted admitted;
            try {
                admitted = admission.admit(id, envelope, buffer, 0, extras, "client", client(), "helo",
                        context.getHelo().orElse(null));
            } catch (IOException e) {
                throw refusal(e, message.size());
            }
            spooled = true;
            log.info("MR1001 accepted from {} helo={}{} mail from=<{}> rcpt={} size={} message-id={}", client(),
                    context.getHelo().orElse("-"), authUser == null ? "" : " auth=" + authUser, envelope.mailFrom(), recipients,
                    message.size(), admitted.messageId() == null ? "-" : admitted.messageId());
            access.meters().accepted(message.size());
            admission.queue(admitted.entry());
            return "2.0.0 Ok: queued as " + id;
        } finally {
            if (!spooled) {
                buffer.discard();
            }
            transactions.end();
            MDC.remove("msgId");
        }
    }

    /**
     * What came of reading a message from the client.
     *
     * @param size    the bytes the client sent
     * @param tooBig  more than the size limit: the rest was read and thrown away
     * @param notKept why the message could not be kept (the buffer failed, a full disk), or null;
     *                the rest was still read, so the client gets its reply and can go on
     */
    private record Received(long size, boolean tooBig, IOException notKept) {
    }

    /**
     * Reads the client's message to its end into the buffer, behind {@code received}. Past
     * {@code max} bytes, or once the buffer failed, the rest is read and thrown away so the client
     * gets its reply; a client that goes on sending twice the limit is cut off.
     *
     * @throws DropConnectionException if the message was cut short: the connection ended before
     *                                 the message did (DATA without its final dot, a BDAT chunk
     *                                 shorter than its size, no {@code BDAT ... LAST})
     */
    private Received receive(InputStream in, MessageBuffer out, byte[] received, long max)
            throws IOException, DropConnectionException {
        IOException notKept = keep(out, received, received.length, null);
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = readFromClient(in, buf, total)) > 0) {
            total += n;
            if (total > 2 * max) {
                throw new DropConnectionException(552, "5.3.4 Error: message file too big");
            }
            if (total <= max) {
                notKept = keep(out, buf, n, notKept);
            }
        }
        // SubEthaSMTP's BDAT stream ends the message where the connection ends, as if it were complete
        if (clientGone()) {
            throw cutShort(total, null);
        }
        return new Received(total, total > max, notKept);
    }

    private int readFromClient(InputStream in, byte[] buf, long sofar) throws IOException, DropConnectionException {
        try {
            return in.read(buf);
        } catch (IOException | RuntimeException e) {
            // BDAT without a LAST chunk fails with a NullPointerException at the connection's end
            if (clientGone() || e instanceof SocketException) {
                throw cutShort(sofar, e);
            }
            throw e;
        }
    }

    /** Writes to the buffer unless it already failed; returns the failure, if any (the buffer is then discarded). */
    private static IOException keep(MessageBuffer out, byte[] bytes, int length, IOException failed) {
        if (failed != null) {
            return failed;
        }
        try {
            out.write(bytes, 0, length);
            return null;
        } catch (IOException e) {
            out.discard(); // give the space back now, not after the client finished sending
            return e;
        }
    }

    private boolean clientGone() {
        if (!(context instanceof Session session)) {
            return false;
        }
        java.net.Socket s = session.getSocket();
        return LineDeadlineSockets.inputEnded(plain.apply(s))
                || s instanceof javax.net.ssl.SSLSocket ssl && LineDeadlineSockets.inputEnded(ssl);
    }

    private DropConnectionException cutShort(long bytes, Exception cause) {
        String how = cause == null ? "" : cause instanceof RuntimeException ? ", with no BDAT ... LAST chunk"
                : " (" + cause.getMessage() + ")";
        log.warn("MR1016 the message from {} was cut short: the connection ended before the message did ({} bytes "
                + "received{}); nothing was kept", client(), bytes, how);
        return new DropConnectionException(421, "4.4.2 Connection lost in the middle of the message; nothing was kept");
    }

    /**
     * The reply to a message that could not be made durable: {@code 452 4.3.1} when the disk is
     * full, {@code 451 4.3.0} for any other I/O error. Both are temporary, and the transaction is
     * over, so the client may start another on the same connection.
     */
    private RejectException refusal(IOException e, long size) {
        endTransaction();
        if (DiskFull.causedBy(e)) {
            log.error("MR1017 refused a message of {} bytes from {}: no space left for the spool ({})", size, client(),
                    e.toString());
            return new RejectException(452, "4.3.1 Error: insufficient system storage, try again later");
        }
        log.error("MR1007 could not be spooled: {}", e.toString());
        return new RejectException(451, "4.3.0 Error: queue file write error, try again later");
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

    private String client() {
        SocketAddress a = context.getRemoteAddress();
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public void done() {
        // nothing held between transactions: data() discards what it did not spool
        SessionState state = hooks == null || !(context instanceof Session session) ? null : hooks.existing(session);
        if (state != null) {
            state.endTransaction();
        }
    }
}
